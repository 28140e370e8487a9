# Sourced by the scripts that run test servers (ftp-server.sh, sftp-server.sh, pykmip.sh). Each
# defines log() before sourcing this.
#
#   stop_server PIDFILE   sends SIGTERM to the process PIDFILE names, waits up to 5 s for it to
#                         exit, then sends SIGKILL; removes PIDFILE. Returns 1 when there was none.
#   ensure_venv VENV REQUIREMENTS
#                         makes the venv VENV with the PyPI packages of REQUIREMENTS, unless it
#                         was made from the same file already (installs python3-venv if missing).
#   wait_for_banner PORT PREFIX PIDFILE LOGFILE NAME
#                         waits up to about 10 s until 127.0.0.1:PORT greets with bytes that start
#                         with PREFIX; exits 1 with LOGFILE's tail if the process NAME (PIDFILE)
#                         ended first, or if it never answered.
stop_server() {
  local file=$1 pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

ensure_venv() {
  local venv=$1 requirements=$2
  local stamp="$venv/.swift-kmip-requirements"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then return 0; fi
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    log "installing python3-venv"; apt-get install -y -qq python3-venv >&2
  fi
  log "creating the venv in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
}

wait_for_banner() {
  local port=$1 prefix=$2 pidfile=$3 logfile=$4 name=$5
  for _ in $(seq 100); do
    if python3 - "$port" "$prefix" <<'PY' 2>/dev/null; then return 0; fi
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    assert s.recv(100).startswith(sys.argv[2].encode())
PY
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "$name exited:"; tail -20 "$logfile" >&2; exit 1
    fi
    sleep 0.1
  done
  log "$name did not answer on port $port:"; tail -20 "$logfile" >&2; exit 1
}
