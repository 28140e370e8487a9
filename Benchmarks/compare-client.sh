#!/usr/bin/env bash
# Get round trips against one PyKMIP server on one kept-open connection: swift-kmip's client
# (`kmip bench client`, release build) beside PyKMIP's own ProxyKmipClient, in the same run.
# Prints a Markdown table: Gets per second and client CPU time per Get.
#
#   Benchmarks/compare-client.sh [COUNT]      default 1000 Gets each, KMIP 1.2 for both
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
count=${1:-1000}
dir=$(mktemp -d /tmp/swift-kmip-bench-pykmip.XXXXXX)
trap '"$root/scripts/pykmip.sh" stop "$dir" >/dev/null 2>&1 || true' EXIT
eval "$("$root/scripts/pykmip.sh" start "$dir")"
echo "compare-client.sh: building kmip (release)" >&2
swift build -c release --product kmip --package-path "$root" >&2
kmip="$root/.build/release/kmip"
connection=(--server "127.0.0.1:$PYKMIP_PORT" --ca "$PYKMIP_CA" --cert "$PYKMIP_CLIENT_CERT" --key "$PYKMIP_CLIENT_KEY" --kmip-version 1.2)
id=$("$kmip" create --length 256 "${connection[@]}" | tail -1)
read_result() { awk -F': ' -v key="$1" '$1 == key { print $2 }'; }
swift_out=$("$kmip" bench client "$id" --count "$count" "${connection[@]}")
python_out=$("$dir/venv/bin/python" "$here/pykmip_client.py" --port "$PYKMIP_PORT" --certs "$PYKMIP_CERTS" --key-id "$id" --count "$count")
row() {
  local name=$1 out=$2 seconds cpu
  seconds=$(echo "$out" | read_result seconds); cpu=$(echo "$out" | read_result cpu-seconds)
  python3 -c "print(f'| $name | $count | {$count/$seconds:.0f} | {$seconds/$count*1000:.3f} | {$cpu/$count*1000:.3f} |')"
}
echo "| client | Gets | Gets/s | ms per Get (wall) | client CPU ms per Get |"
echo "|---|---:|---:|---:|---:|"
row "swift-kmip (kmip bench client, release)" "$swift_out"
row "PyKMIP 0.11.0 ProxyKmipClient" "$python_out"
