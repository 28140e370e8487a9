#!/usr/bin/env bash
# Sealed-file speed and memory, each in its own process (release build):
#   1. sealing and opening one in-memory buffer beside one-shot AES-256-GCM over the same buffer
#      (the baseline, measured in the same run);
#   2. peak resident memory while sealing 1 GiB streamed from a pipe.
#
#   Benchmarks/compare-seal.sh [MEGABYTES]     (default 100)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
megabytes=${1:-100}
swift build -c release --product sealed-file >&2
tool=.build/release/sealed-file
work=$(mktemp -d /tmp/swift-kmip-seal-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/key"
echo "## throughput ($megabytes MB buffer, best of 3)"
"$tool" bench --megabytes "$megabytes"
echo
echo "## peak memory sealing 1 GiB from a pipe"
head -c 1073741824 /dev/zero | "$tool" seal --key-file "$work/key" --report 2>&1 >/dev/null
