#!/usr/bin/env bash
# Starts and stops an SFTP server (OpenSSH's sshd, as the current user) on a free loopback port
# for the clip store tests. Key authentication only; the sftp subsystem only.
#
#   scripts/sftp-server.sh start [DIR]   prints KEY=VALUE lines (eval them); progress on stderr
#   scripts/sftp-server.sh stop [DIR]
#
# DIR (default /tmp/swift-kmip-sftp) holds an Ed25519 host key and client key made here with
# ssh-keygen (never committed), the authorized_keys and known_hosts files, sshd's configuration
# and log, and the served directory root/. Needs openssh-server (apt-get install openssh-server).
set -euo pipefail
command=${1:-start}
dir=${2:-${SFTP_DIR:-/tmp/swift-kmip-sftp}}
run=$dir/run
keys=$dir/keys
log() { echo "sftp-server.sh: $*" >&2; }

# shellcheck source=lib/test-servers.sh
. "$(dirname "$0")/lib/test-servers.sh"
stop() { if stop_server "$run/sshd.pid"; then log "stopped"; fi; }

if [ "$command" = stop ]; then stop; exit 0; fi
[ "$command" = start ] || { echo "usage: scripts/sftp-server.sh start|stop [DIR]" >&2; exit 2; }

sshd=/usr/sbin/sshd
[ -x "$sshd" ] || { log "$sshd is missing (apt-get install openssh-server)"; exit 1; }
mkdir -p "$dir" "$run" "$keys" "$dir/root"
stop
# sshd started by root separates privileges into this (empty, root-owned) directory.
if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi

# 1. Keys (made once per DIR).
if [ ! -f "$keys/client_key" ]; then
  log "making keys in $keys"
  ssh-keygen -q -t ed25519 -N '' -C "swift-kmip sftp test host" -f "$keys/host_key"
  ssh-keygen -q -t ed25519 -N '' -C "swift-kmip sftp test client" -f "$keys/client_key"
  ssh-keygen -q -t ed25519 -N '' -C "a key the server does not know" -f "$keys/other_key"
  cp "$keys/client_key.pub" "$keys/authorized_keys"
  chmod 600 "$keys"/*_key "$keys/authorized_keys"
fi
fingerprint=$(ssh-keygen -l -E sha256 -f "$keys/host_key.pub" | awk '{print $2}')

# 2. A free port, the configuration, the server.
port=${SFTP_PORT:-}
if [ -z "$port" ] && [ -f "$run/port" ]; then
  previous=$(cat "$run/port")
  if python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$previous" 2>/dev/null; then
    port=$previous
  fi
fi
[ -n "$port" ] || port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "$port" > "$run/port"
user=$(id -un)
printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$keys/host_key.pub")" > "$keys/known_hosts"
cat > "$run/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $keys/host_key
PidFile $run/sshd.pid
AuthorizedKeysFile $keys/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
PermitTTY no
ForceCommand internal-sftp
Subsystem sftp internal-sftp
LogLevel VERBOSE
CONF
"$sshd" -t -f "$run/sshd_config"
log "starting sshd on 127.0.0.1:$port"
setsid "$sshd" -D -e -f "$run/sshd_config" < /dev/null > "$run/sshd.log" 2>&1 &
echo $! > "$run/sshd.pid"

# 3. Wait until it answers with its version line.
wait_for_banner "$port" SSH-2.0 "$run/sshd.pid" "$run/sshd.log" sshd
log "ready"
cat <<OUT
SFTP_URL=sftp://127.0.0.1:$port$dir/root/
SFTP_USER=$user
SFTP_KEY=$keys/client_key
SFTP_OTHER_KEY=$keys/other_key
SFTP_HOST_KEY_SHA256=$fingerprint
SFTP_KNOWN_HOSTS=$keys/known_hosts
SFTP_ROOT=$dir/root
SFTP_PID=$(cat "$run/sshd.pid")
SFTP_DIR=$dir
OUT
