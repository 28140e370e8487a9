#!/usr/bin/env bash
# Measures the TTLV codec of swift-kmip beside PyKMIP's on the same messages, in the same run,
# and prints a Markdown table of msgs/s and the ratio (swift-kmip / PyKMIP).
#
#   Benchmarks/compare-codec.sh [SECONDS]      default 2 s per operation
#
# Builds `kmip` in release, and a venv with PyKMIP 0.11.0 in $PYKMIP_VENV (default
# /tmp/swift-kmip-pykmip-venv) when missing. Run it on an otherwise idle machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seconds=${1:-2}
venv=${PYKMIP_VENV:-/tmp/swift-kmip-pykmip-venv}
messages=(02-get.response 01-create-aes256.request 04-query.response 08-batch-create-get.request)

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import kmip' 2>/dev/null; then
  echo "compare-codec.sh: installing PyKMIP into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements-pykmip.txt"
fi
echo "compare-codec.sh: building kmip (release)" >&2
swift build -c release --product kmip --package-path "$root" >&2
kmip="$root/.build/release/kmip"

declare -A swift_rate py_rate
for name in "${messages[@]}"; do
  file="$root/Vectors/pykmip/$name.hex"
  echo "compare-codec.sh: $name" >&2
  while read -r op value _; do swift_rate["$name ${op%:}"]=$value; done < <("$kmip" bench codec --typed "$file" --seconds "$seconds" 2>/dev/null)
  while read -r _ op value _; do py_rate["$name ${op%:}"]=$value; done < <("$venv/bin/python" "$here/pykmip_codec.py" --seconds "$seconds" "$file" 2>/dev/null)
done

# The text encodings: the same Get response, and a 1 MB XML message (a batch of Register requests).
python3 "$here/make-large-message.py" 1000000 > "${TMPDIR:-/tmp}/swift-kmip-large.xml"
text_small=$("$kmip" bench codec --text "$root/Vectors/pykmip/02-get.response.hex" --seconds "$seconds" 2>/dev/null | grep -E '^(xml|json)-')
text_large=$("$kmip" bench codec --text --from xml "${TMPDIR:-/tmp}/swift-kmip-large.xml" --seconds "$seconds" 2>/dev/null | grep -E '^(xml|json)-')

echo "| message | bytes | operation | swift-kmip msgs/s | PyKMIP msgs/s | ratio |"
echo "|---|---:|---|---:|---:|---:|"
for name in "${messages[@]}"; do
  bytes=$(( $(tr -d ' \n' < "$root/Vectors/pykmip/$name.hex" | wc -c) / 2 ))
  for op in decode encode; do
    s=${swift_rate["$name $op"]:-0}; p=${py_rate["$name $op"]:-0}
    ratio=$(python3 -c "print(f'{$s / $p:.0f}x' if $p else 'n/a')")
    echo "| $name | $bytes | $op | $s | $p | $ratio |"
  done
done

echo
echo "Typed: bytes -> typed message (PyKMIP: bytes -> its message objects, the same figure as above) and back."
echo
echo "| message | bytes | operation | swift-kmip msgs/s | PyKMIP msgs/s | ratio | swift-kmip tree-only msgs/s |"
echo "|---|---:|---|---:|---:|---:|---:|"
for name in "${messages[@]}"; do
  bytes=$(( $(tr -d ' \n' < "$root/Vectors/pykmip/$name.hex" | wc -c) / 2 ))
  for op in decode encode; do
    s=${swift_rate["$name typed-$op"]:-0}; p=${py_rate["$name $op"]:-0}; t=${swift_rate["$name $op"]:-0}
    ratio=$(python3 -c "print(f'{$s / $p:.0f}x' if $p else 'n/a')")
    echo "| $name | $bytes | typed-$op | $s | $p | $ratio | $t |"
  done
done

echo
echo "| message | operation | swift-kmip |"
echo "|---|---|---|"
while read -r op rest; do echo "| 02-get.response (280 B as TTLV) | ${op%:} | $rest |"; done <<< "$text_small"
while read -r op rest; do echo "| 1 MB XML Request (a batch of Register requests) | ${op%:} | $rest |"; done <<< "$text_large"
