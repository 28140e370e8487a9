#!/usr/bin/env bash
# The reference server (kmip-server, release, durable SQLite store) beside PyKMIP 0.11.0's server,
# measured in the same run with the same client (`kmip bench client`, release, KMIP 1.2):
#   - Get round trips per second on one connection, and with 8 connections (8 client processes);
#   - Gets per second in batches of 100 per message;
#   - Creates per second (each one durable before the answer on the reference server);
#   - a load run: 16 clients of steady mixed operations over a fixed object count for SECONDS, the errors, and the server's
#     resident memory sampled every 5 seconds (it should stay flat).
# Prints Markdown tables for BENCHMARKS.md.
#
#   Benchmarks/compare-server.sh [COUNT] [SECONDS]     default 1000 requests each, 60 s of load
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
count=${1:-1000}
load_seconds=${2:-60}
work=$(mktemp -d /tmp/swift-kmip-bench-server.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  "$root/scripts/pykmip.sh" stop "$work/pykmip" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "compare-server.sh: building kmip and kmip-server (release)" >&2
swift build -c release --product kmip --package-path "$root" >&2
swift build -c release --product kmip-server --package-path "$root" >&2
bin="$root/.build/release"

eval "$("$root/scripts/pykmip.sh" start "$work/pykmip")"
pykmip=(--server "127.0.0.1:$PYKMIP_PORT" --ca "$PYKMIP_CA" --cert "$PYKMIP_CLIENT_CERT" --key "$PYKMIP_CLIENT_KEY" --kmip-version 1.2)

"$bin/kmip-server" --data "$work/ref" --port 0 > "$work/ref.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/ref.out" 2>/dev/null && break; sleep 0.1; done
port=$(grep "listening on" "$work/ref.out" | head -1 | sed 's/.*://')
reference=(--server "127.0.0.1:$port" --ca "$work/ref/certs/ca.pem" --cert "$work/ref/certs/client.pem" --key "$work/ref/certs/client-key.pem" --kmip-version 1.2)

value() { awk -F': ' -v key="$1" '$1 == key { print $2 }'; }
rate() { python3 -c "print(f'{$1/$2:,.0f}')"; }

measure() {  # NAME CONNECTION... -> one table row
  local name=$1; shift
  local id one eight batched creates
  id=$("$bin/kmip" create --length 256 "$@" | tail -1)
  one=$("$bin/kmip" bench client "$id" --count "$count" "$@")
  local pids=() total=0 longest=0
  for i in $(seq 1 8); do "$bin/kmip" bench client "$id" --count "$count" "$@" > "$work/eight.$i" & pids+=($!); done
  wait "${pids[@]}"
  eight=$(python3 - "$work" <<'PY'
import sys, glob
ops = secs = 0.0
for f in glob.glob(sys.argv[1] + "/eight.*"):
    d = dict(l.split(": ", 1) for l in open(f).read().splitlines() if ": " in l)
    ops += float(d["gets"]); secs = max(secs, float(d["seconds"]))
print(f"{ops/secs:,.0f}")
PY
)
  batched=$("$bin/kmip" bench client "$id" --count $((count / 20 > 0 ? count / 20 : 1)) --batch 100 "$@")
  creates=$("$bin/kmip" bench client --workload create --count $((count / 4)) "$@")
  echo "| $name | $(rate "$(echo "$one" | value gets)" "$(echo "$one" | value seconds)") | $eight | $(rate "$(echo "$batched" | value gets)" "$(echo "$batched" | value seconds)") | $(rate "$(echo "$creates" | value operations)" "$(echo "$creates" | value seconds)") |"
}

echo "| server | Gets/s, 1 connection | Gets/s, 8 connections | Gets/s, batches of 100 | Creates/s |"
echo "|---|---:|---:|---:|---:|"
measure "swift-kmip kmip-server (SQLite, synced per change)" "${reference[@]}"
measure "PyKMIP 0.11.0 server" "${pykmip[@]}"

echo
echo "Load: 16 clients of steady mixed operations over 25 keys each, made first (Get, Get Attributes, Locate by name, Add Attribute, Delete Attribute, Check: a fixed object count) for ${load_seconds} s against kmip-server:"
rss() { awk '/VmRSS/ { print $2 }' "/proc/$server_pid/status"; }
pids=()
for i in $(seq 1 16); do "$bin/kmip" bench client --workload steady --objects 25 --seconds "$load_seconds" "${reference[@]}" > "$work/load.$i" 2> "$work/load.$i.err" & pids+=($!); done
samples=()
for _ in $(seq 1 $((load_seconds / 5))); do sleep 5; samples+=("$(rss)"); done
wait "${pids[@]}"
python3 - "$work" "${samples[*]}" <<'PY'
import sys, glob
ops = errors = 0
secs = 0.0
for f in glob.glob(sys.argv[1] + "/load.[0-9]*"):
    if f.endswith(".err"): continue
    d = dict(l.split(": ", 1) for l in open(f).read().splitlines() if ": " in l)
    ops += int(d["operations"]); errors += int(d["errors"]); secs = max(secs, float(d["seconds"]))
rss = [int(x) // 1024 for x in sys.argv[2].split()]
print(f"- {ops:,} operations in {secs:.0f} s ({ops/secs:,.0f}/s), {errors} errors")
print(f"- kmip-server resident memory every 5 s (MiB): {', '.join(map(str, rss))}")
PY
