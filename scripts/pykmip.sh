#!/usr/bin/env bash
# Starts and stops a PyKMIP 0.11.0 server on a free loopback port, for the live tests.
#
#   scripts/pykmip.sh start [DIR]    prints KEY=VALUE lines (eval them); progress on stderr
#   scripts/pykmip.sh stop [DIR]
#
# DIR (default /tmp/swift-kmip-pykmip) holds the venv (PYKMIP_VENV overrides), the certificates
# (made here with openssl: an EC P-256 CA, a server certificate for 127.0.0.1/localhost, client
# certificates with the clientAuth extended key usage, one expired), the server's configuration,
# database and log. PyKMIP speaks TLS 1.2 only and, with EC certificates, ECDHE-ECDSA suites.
set -euo pipefail
command=${1:-start}
dir=${2:-${PYKMIP_DIR:-/tmp/swift-kmip-pykmip}}
here=$(cd "$(dirname "$0")" && pwd)
venv=${PYKMIP_VENV:-$dir/venv}
certs=$dir/certs
run=$dir/run
log() { echo "pykmip.sh: $*" >&2; }

# shellcheck source=lib/test-servers.sh
. "$(dirname "$0")/lib/test-servers.sh"

stop() {
  if [ -f "$run/server.pid" ]; then
    local pid; pid=$(cat "$run/server.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -INT "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -TERM -- "-$pid" 2>/dev/null || true
      sleep 0.2
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$run/server.pid"
    log "stopped"
  fi
}

if [ "$command" = stop ]; then stop; exit 0; fi
[ "$command" = start ] || { echo "usage: scripts/pykmip.sh start|stop [DIR]" >&2; exit 2; }

mkdir -p "$dir" "$run"
stop

# 1. The venv, from PyPI.
ensure_venv "$venv" "$here/pykmip-requirements.txt"

# 2. Certificates (made once per DIR; never committed).
if [ ! -f "$certs/client.pem" ]; then
  log "making certificates in $certs"
  mkdir -p "$certs"
  (
    cd "$certs"
    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
    key ca.key
    openssl req -x509 -new -key ca.key -days 30 -subj "/O=swift-kmip tests/CN=swift-kmip test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem 2>/dev/null
    leaf() { # name subject days extensions
      key "$1.key"
      openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
      printf '%s\n' "$4" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$3" -extfile "$1.ext" -out "$1.pem" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    leaf server "/CN=localhost" 30 "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
    client_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=clientAuth"
    leaf client "/CN=swift-kmip-client" 30 "$client_ext"
    leaf viewer "/CN=swift-kmip-viewer" 30 "$client_ext"
    # A certificate for another name (server name mismatch tests).
    leaf other "/CN=other.example" 30 "basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:other.example"
    # An expired client certificate (validity entirely in the past; openssl 3.0's x509 cannot
    # back-date, so the venv's cryptography signs it).
    key expired.key
    "$venv/bin/python" - <<'PY'
import datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
ca_key = serialization.load_pem_private_key(open("ca.key", "rb").read(), None)
ca = x509.load_pem_x509_certificate(open("ca.pem", "rb").read())
key = serialization.load_pem_private_key(open("expired.key", "rb").read(), None)
start = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
certificate = (x509.CertificateBuilder()
    .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "swift-kmip-expired")]))
    .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
    .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=30))
    .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    .sign(ca_key, hashes.SHA256()))
open("expired.pem", "wb").write(certificate.public_bytes(serialization.Encoding.PEM))
PY
    # A CA nobody trusts.
    key rogue-ca.key
    openssl req -x509 -new -key rogue-ca.key -days 30 -subj "/CN=rogue CA" -addext "basicConstraints=critical,CA:TRUE" -out rogue-ca.pem 2>/dev/null
    chmod 600 ./*.key
  )
fi

# 3. A free port, the configuration, the server.
port=${PYKMIP_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
mkdir -p "$run/policies"
rm -f "$run/pykmip.db"
cat > "$run/server.conf" <<CONF
[server]
hostname=127.0.0.1
port=$port
certificate_path=$certs/server.pem
key_path=$certs/server.key
ca_path=$certs/ca.pem
auth_suite=TLS1.2
policy_path=$run/policies
enable_tls_client_auth=True
logging_level=INFO
database_path=$run/pykmip.db
CONF
log "starting pykmip-server on 127.0.0.1:$port"
cd "$run"
setsid "$venv/bin/pykmip-server" -f "$run/server.conf" -l "$run/server.log" < /dev/null > "$run/server.out" 2>&1 &
echo $! > "$run/server.pid"
cd - > /dev/null

# 4. Wait until it completes a TLS handshake.
for _ in $(seq 150); do
  if "$venv/bin/python" - "$port" "$certs" <<'PY' 2>/dev/null; then break; fi
import socket, ssl, sys
port, certs = int(sys.argv[1]), sys.argv[2]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.load_verify_locations(f"{certs}/ca.pem")
context.load_cert_chain(f"{certs}/client.pem", f"{certs}/client.key")
with socket.create_connection(("127.0.0.1", port), timeout=1) as raw:
    with context.wrap_socket(raw, server_hostname="localhost"):
        pass
PY
  if ! kill -0 "$(cat "$run/server.pid")" 2>/dev/null; then
    log "pykmip-server exited:"; tail -20 "$run/server.out" >&2; exit 1
  fi
  sleep 0.2
done
log "ready"
cat <<OUT
PYKMIP_HOST=127.0.0.1
PYKMIP_PORT=$port
PYKMIP_CA=$certs/ca.pem
PYKMIP_CLIENT_CERT=$certs/client.pem
PYKMIP_CLIENT_KEY=$certs/client.key
PYKMIP_CERTS=$certs
PYKMIP_LOG=$run/server.log
PYKMIP_PYTHON=$venv/bin/python
OUT
