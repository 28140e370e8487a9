# Sourced by the scripts that run test servers (ftp-server.sh, sftp-server.sh).
#
#   stop_server PIDFILE   sends SIGTERM to the process PIDFILE names, waits up to 5 s for it to
#                         exit, then sends SIGKILL; removes PIDFILE. Returns 1 when there was none.
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
