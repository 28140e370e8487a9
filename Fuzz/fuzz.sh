#!/usr/bin/env bash
# Builds and runs a libFuzzer target of swift-kmip.
#
#   Fuzz/fuzz.sh [TARGET] [SECONDS] [JOBS]     TARGET: ttlv (default); SECONDS default 60; JOBS default 1
#
# The corpus lives in Fuzz/corpus-TARGET (seeded from Vectors/ on first run, not committed);
# crashes are written to Fuzz/artifacts/. Exit status is libFuzzer's: 0 when nothing was found.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
target=${1:-ttlv}
seconds=${2:-60}
jobs=${3:-1}

case "$target" in
  ttlv) sources=("$root"/Sources/KMIPTTLV "$here"/TTLV) ;;
  *) echo "fuzz.sh: unknown target '$target' (known: ttlv)" >&2; exit 2 ;;
esac

build="$here/.build"
mkdir -p "$build" "$here/artifacts" "$here/corpus-$target"
binary="$build/fuzz-$target"
files=$(find "${sources[@]}" -name '*.swift' | sort)
# Rebuild only when a source is newer than the binary.
if [ ! -x "$binary" ] || [ -n "$(find "${sources[@]}" -name '*.swift' -newer "$binary" | head -1)" ]; then
  echo "fuzz.sh: building $target fuzzer" >&2
  # shellcheck disable=SC2086
  swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name KMIPFuzz -package-name swift_kmip \
    -swift-version 6 $files -o "$binary"
fi

# Seed the corpus with the project's own vectors (whole messages as raw TTLV).
if [ -z "$(ls -A "$here/corpus-$target")" ]; then
  python3 - "$root" "$here/corpus-$target" <<'PY'
import sys, os, glob, binascii, csv
root, out = sys.argv[1], sys.argv[2]
n = 0
for path in sorted(glob.glob(os.path.join(root, "Vectors/pykmip/*.hex"))):
    data = binascii.unhexlify(open(path).read().strip())
    open(os.path.join(out, os.path.basename(path) + ".bin"), "wb").write(data); n += 1
for table in ("Vectors/ttlv/spec-ttlv-examples.tsv", "Vectors/malformed/ttlv.tsv"):
    for row in csv.DictReader(open(os.path.join(root, table)), delimiter="\t"):
        open(os.path.join(out, row["id"] + ".bin"), "wb").write(binascii.unhexlify(row["hex"].replace(" ", "")))
        n += 1
print(f"fuzz.sh: seeded corpus with {n} inputs", file=sys.stderr)
PY
fi

echo "fuzz.sh: running $target for ${seconds}s with $jobs job(s)" >&2
cd "$here/artifacts"
if [ "$jobs" -gt 1 ]; then
  exec "$binary" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -jobs="$jobs" -workers="$jobs" -print_final_stats=1 "$here/corpus-$target"
fi
exec "$binary" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$here/artifacts/" "$here/corpus-$target"
