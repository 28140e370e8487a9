#!/usr/bin/env bash
# Runs every test of swift-kmip on a fresh machine: the README's test command, and what CI runs.
#
#   scripts/test.sh            install what is missing, check generated code, build, test, fuzz briefly
#   FUZZ_SECONDS=0 scripts/test.sh   skip the short fuzz runs (60 s per target by default: ttlv, xml, json, typed, server)
#
# Everything it needs beyond Swift itself it installs (Debian packages with apt-get when root).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fuzz_seconds=${FUZZ_SECONDS:-60}

step() { printf '\n==> %s\n' "$*" >&2; }

step "toolchain"
command -v swift >/dev/null || { echo "scripts/test.sh: swift is not on PATH" >&2; exit 1; }
swift --version 2>&1 | head -1 >&2
command -v python3 >/dev/null || {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3 >/dev/null; else
    echo "scripts/test.sh: python3 is needed (apt-get install python3)" >&2; exit 1; fi
}

command -v openssl >/dev/null || {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq openssl >/dev/null; else
    echo "scripts/test.sh: openssl is needed (apt-get install openssl)" >&2; exit 1; fi
}

# The reference server's store is SQLite through GRDB, which links the system's libsqlite3.
[ -f /usr/include/sqlite3.h ] || {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libsqlite3-dev >/dev/null; else
    echo "scripts/test.sh: libsqlite3-dev is needed (apt-get install libsqlite3-dev)" >&2; exit 1; fi
}

# The FTP, FTPS and SFTP clip stores link libcurl (with libssh2 for SFTP); their tests run
# against OpenSSH's sshd.
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libcurl4-openssl-dev >/dev/null; else
    echo "scripts/test.sh: libcurl4-openssl-dev is needed (apt-get install libcurl4-openssl-dev)" >&2; exit 1; fi
}
[ -x /usr/sbin/sshd ] || {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq openssh-server >/dev/null; else
    echo "scripts/test.sh: openssh-server is needed (apt-get install openssh-server)" >&2; exit 1; fi
}

step "generated sources are up to date"
swift run --package-path Codegen kmip-codegen --check

step "build"
swift build --build-tests

# The live tests talk to a real PyKMIP 0.11.0 server on a free loopback port (venv from PyPI,
# certificates made with openssl); they read its settings from the PYKMIP_* variables.
step "start PyKMIP (scripts/pykmip.sh)"
pykmip_dir=$(mktemp -d /tmp/swift-kmip-pykmip.XXXXXX)
ftp_dir=$(mktemp -d /tmp/swift-kmip-ftp.XXXXXX)
sftp_dir=$(mktemp -d /tmp/swift-kmip-sftp.XXXXXX)
stop_servers() {
  scripts/pykmip.sh stop "$pykmip_dir" >/dev/null 2>&1 || true
  scripts/ftp-server.sh stop "$ftp_dir" >/dev/null 2>&1 || true
  scripts/sftp-server.sh stop "$sftp_dir" >/dev/null 2>&1 || true
}
trap stop_servers EXIT
set -a
eval "$(scripts/pykmip.sh start "$pykmip_dir")"
set +a

# The clip store tests (CurlClipStoreTests) upload to pyftpdlib (FTP and explicit FTPS on one
# port) and to sshd (SFTP, key authentication, pinned host key); they read the FTP_* and SFTP_*
# variables, and stop and restart the FTP server through FTP_SERVER_SCRIPT.
step "start the FTP and SFTP servers (scripts/ftp-server.sh, scripts/sftp-server.sh)"
ftp_settings=$(scripts/ftp-server.sh start "$ftp_dir")
sftp_settings=$(scripts/sftp-server.sh start "$sftp_dir")
set -a
eval "$ftp_settings"
eval "$sftp_settings"
set +a

step "test (swift test)"
swift test 2>&1 | tee /tmp/swift-kmip-test.log
grep -q "Test run with .* passed" /tmp/swift-kmip-test.log || { echo "scripts/test.sh: swift test did not pass" >&2; exit 1; }

step "README's vector table is what the runner reports"
python3 scripts/vector-counts.py --check > /dev/null

if [ "$fuzz_seconds" -gt 0 ]; then
  # A short run per decoder; long runs are done by hand (Fuzz/fuzz.sh TARGET SECONDS).
  for target in ttlv xml json typed server; do
    step "fuzz the $target target for ${fuzz_seconds}s"
    Fuzz/fuzz.sh "$target" "$fuzz_seconds" > "/tmp/swift-kmip-fuzz-$target.log" 2>&1 || {
      tail -60 "/tmp/swift-kmip-fuzz-$target.log" >&2
      echo "scripts/test.sh: the $target fuzzer found a failure (input in Fuzz/artifacts/)" >&2
      exit 1
    }
    grep -E "^Done|stat::number_of_executed_units" "/tmp/swift-kmip-fuzz-$target.log" >&2 || true
  done
fi

step "all tests passed"
