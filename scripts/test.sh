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

step "generated sources are up to date"
swift run --package-path Codegen kmip-codegen --check

step "build"
swift build --build-tests

# The live tests talk to a real PyKMIP 0.11.0 server on a free loopback port (venv from PyPI,
# certificates made with openssl); they read its settings from the PYKMIP_* variables.
step "start PyKMIP (scripts/pykmip.sh)"
pykmip_dir=$(mktemp -d /tmp/swift-kmip-pykmip.XXXXXX)
trap 'scripts/pykmip.sh stop "$pykmip_dir" >/dev/null 2>&1 || true' EXIT
set -a
eval "$(scripts/pykmip.sh start "$pykmip_dir")"
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
