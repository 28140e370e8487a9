#!/usr/bin/env bash
# Starts and stops an FTP server (pyftpdlib) on a free loopback port for the clip store tests:
# plain FTP and explicit FTPS (AUTH TLS) on the same port.
#
#   scripts/ftp-server.sh start [DIR]   prints KEY=VALUE lines (eval them); progress on stderr
#   scripts/ftp-server.sh stop [DIR]
#
# DIR (default /tmp/swift-kmip-ftp) holds the venv (FTP_VENV overrides), a certificate made here
# with openssl (a CA, a server certificate for 127.0.0.1/localhost, and a second CA nobody should
# trust), the password (random, mode 0600), a credentials file for CurlClipStore, the served
# directory root/ and the log. A second start in the same DIR reuses its port when it is free,
# so a test can stop the server and bring it back at the same URL. With FTP_WITHOUT_MLSD=1 the
# server answers MLSD and MLST with 500, like servers older than RFC 3659.
set -euo pipefail
command=${1:-start}
dir=${2:-${FTP_DIR:-/tmp/swift-kmip-ftp}}
here=$(cd "$(dirname "$0")" && pwd)
venv=${FTP_VENV:-$dir/venv}
certs=$dir/certs
run=$dir/run
log() { echo "ftp-server.sh: $*" >&2; }

# shellcheck source=lib/test-servers.sh
. "$(dirname "$0")/lib/test-servers.sh"
stop() { if stop_server "$run/server.pid"; then log "stopped"; fi; }

if [ "$command" = stop ]; then stop; exit 0; fi
[ "$command" = start ] || { echo "usage: scripts/ftp-server.sh start|stop [DIR]" >&2; exit 2; }

mkdir -p "$dir" "$run" "$dir/root"
stop

# 1. The venv, from PyPI.
ensure_venv "$venv" "$here/ftp-requirements.txt"

# 2. Certificates (made once per DIR; never committed).
if [ ! -f "$certs/server.pem" ]; then
  log "making certificates in $certs"
  mkdir -p "$certs"
  (
    cd "$certs"
    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
    ca() { # key certificate subject
      key "$1"
      openssl req -x509 -new -key "$1" -days 30 -subj "$3" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$2" 2>/dev/null
    }
    ca ca.key ca.pem "/O=swift-kmip tests/CN=swift-kmip FTP test CA"
    ca untrusted-ca.key untrusted-ca.pem "/CN=a CA the FTP server does not use"
    key server.key
    openssl req -new -key server.key -subj "/CN=localhost" -out server.csr 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyAgreement" \
      "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile server.ext -out server.pem 2>/dev/null
    rm -f server.csr server.ext
    chmod 600 ./*.key
  )
fi

# 3. The user and its password (random per DIR), and a credentials file for CurlClipStore.
user=clips
if [ ! -f "$run/password" ]; then
  (umask 077; openssl rand -hex 16 > "$run/password")
fi
password=$(cat "$run/password")

# 4. The port: the one of the last start in DIR when it is still free, else a free one.
port=${FTP_PORT:-}
if [ -z "$port" ] && [ -f "$run/port" ]; then
  previous=$(cat "$run/port")
  if python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$previous" 2>/dev/null; then
    port=$previous
  fi
fi
[ -n "$port" ] || port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "$port" > "$run/port"
(umask 077; printf '# CurlClipStore credentials: HOST[:PORT] USER:PASSWORD\n127.0.0.1:%s %s:%s\n' "$port" "$user" "$password" > "$run/credentials")

log "starting pyftpdlib on 127.0.0.1:$port"
setsid "$venv/bin/python" "$here/ftp-server.py" "$port" "$dir/root" "$certs/server.pem" "$certs/server.key" \
  "$user" "$run/password" < /dev/null > "$run/server.log" 2>&1 &
echo $! > "$run/server.pid"

# 5. Wait until it answers with its banner.
wait_for_banner "$port" 220 "$run/server.pid" "$run/server.log" "the FTP server"
log "ready"
cat <<OUT
FTP_URL=ftp://127.0.0.1:$port/
FTPS_URL=ftps://127.0.0.1:$port/
FTP_CA=$certs/ca.pem
FTP_UNTRUSTED_CA=$certs/untrusted-ca.pem
FTP_USER=$user
FTP_PASSWORD=$password
FTP_CREDENTIALS=$run/credentials
FTP_ROOT=$dir/root
FTP_PID=$(cat "$run/server.pid")
FTP_DIR=$dir
FTP_SERVER_SCRIPT=$here/ftp-server.sh
OUT
