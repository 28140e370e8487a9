#!/usr/bin/env bash
# Builds and runs a libFuzzer target of swift-kmip.
#
#   Fuzz/fuzz.sh [TARGET] [SECONDS] [JOBS]     TARGET: ttlv (default), xml, json, typed, server; SECONDS default 60; JOBS 1
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
  ttlv) modules=(KMIPTTLV) ;;
  xml|json) modules=(KMIPTTLV KMIPXML) ;;
  typed) modules=(KMIPTTLV KMIPXML KMIP) ;;
  server) modules=(KMIPTTLV KMIPXML KMIP Logging KMIPServer) ;;
  *) echo "fuzz.sh: unknown target '$target' (known: ttlv, xml, json, typed, server)" >&2; exit 2 ;;
esac
case "$target" in
  typed) entry="$here/Typed" ;;
  server) entry="$here/Server" ;;
  *) entry="$here/$(echo "$target" | tr '[:lower:]' '[:upper:]')" ;;
esac

build="$here/.build"
mkdir -p "$build/modules" "$here/artifacts" "$here/corpus-$target"
binary="$build/fuzz-$target"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -package-name swift_kmip)

# Each module is built once as a static library with coverage instrumentation (shared by the
# targets, rebuilt only when one of its sources changed), then the target's entry point is
# linked against them with libFuzzer's main.
newer() { [ ! -e "$1" ] || [ -n "$(find "${@:2}" -name '*.swift' -newer "$1" | head -1)" ]; }
link=()
for module in "${modules[@]}"; do
  library="$build/modules/lib$module.a"
  sources="$root/Sources/$module"
  # swift-log, which the server engine logs through, comes from the package checkouts
  # (`swift build` fetches them first).
  [ "$module" = Logging ] && sources="$root/.build/checkouts/swift-log/Sources/Logging"
  [ -d "$sources" ] || { echo "fuzz.sh: $sources is missing (run swift build first)" >&2; exit 2; }
  if newer "$library" "$sources"; then
    echo "fuzz.sh: building $module with fuzzing instrumentation" >&2
    # The client (Sources/KMIP/Client) needs SwiftNIO and is not under test here: the typed
    # models are compiled without it. The server engine is compiled without its listener (NIO),
    # SQLite store (GRDB), master key (swift-crypto) and certificate provisioning (swift-certificates):
    # the fuzzer drives the engine on its in-memory store.
    # Its cryptography (swift-crypto) is replaced by Fuzz/ServerModule's stand-in, which answers
    # every request that needs cryptography as unsupported.
    mapfile -t files < <(find "$sources" -name '*.swift' -not -path '*/Client/*' -not -path '*/Listener/*' \
      -not -path '*/Provisioning/*' -not -path '*/Cryptography/*' -not -name 'SQLiteObjectStore.swift' -not -name 'KMIPMasterKey.swift' | sort)
    [ "$module" = KMIPServer ] && files+=("$here/ServerModule/NoCryptography.swift")
    swiftc "${flags[@]}" -module-name "$module" -emit-module -emit-module-path "$build/modules/$module.swiftmodule" \
      -I "$build/modules" -emit-library -static -o "$library.new" "${files[@]}"
    mv "$library.new" "$library"
  fi
  # Dependents before their dependencies, as a static link needs.
  link=("$library" "${link[@]}")
done
if newer "$binary" "$entry" || [ -n "$(find "${link[@]}" -newer "$binary" | head -1)" ]; then
  echo "fuzz.sh: linking the $target fuzzer" >&2
  mapfile -t files < <(find "$entry" -name '*.swift' | sort)
  swiftc "${flags[@]}" -module-name "Fuzz$target" -I "$build/modules" "${files[@]}" "${link[@]}" -o "$binary.new"
  mv "$binary.new" "$binary"
fi

# Seed the corpus with the project's own vectors.
if [ -z "$(ls -A "$here/corpus-$target")" ]; then
  python3 - "$root" "$here/corpus-$target" "$target" <<'PY'
import sys, os, glob, binascii, csv, json
root, out, target = sys.argv[1], sys.argv[2], sys.argv[3]
n = 0
if target == "xml":
    for path in sorted(glob.glob(os.path.join(root, "Vectors/oasis-xml/*/*/*.xml")))[::5] + glob.glob(os.path.join(root, "Vectors/seed/*.xml")):
        data = open(path, "rb").read()
        open(os.path.join(out, os.path.basename(path)), "wb").write(data); n += 1
    for line in open(os.path.join(root, "Vectors/json/addtl-msg-enc-v1.0-xml-examples.jsonl")):
        example = json.loads(line)
        open(os.path.join(out, example["id"]), "w").write(example["normalized"]); n += 1
    print(f"fuzz.sh: seeded corpus with {n} inputs", file=sys.stderr); sys.exit(0)
if target == "json":
    for line in open(os.path.join(root, "Vectors/json/addtl-msg-enc-v1.0-json-examples.jsonl")):
        example = json.loads(line)
        open(os.path.join(out, example["id"]), "w").write(example["normalized"]); n += 1
    print(f"fuzz.sh: seeded corpus with {n} inputs", file=sys.stderr); sys.exit(0)
if target in ("typed", "server"):
    # Every OASIS message of KMIP 1.0-2.1 as TTLV: placeholders replaced by values of their type
    # in the XML text, then converted by the kmip tool of the debug build (when it is built).
    import re, subprocess, tempfile
    kmip = os.path.join(root, ".build", "debug", "kmip")
    samples = {"DateTime": "2026-01-01T00:00:00Z", "ByteString": "00", "Integer": "0", "LongInteger": "0",
               "BigInteger": "0x00", "Interval": "0", "Boolean": "false", "DateTimeExtended": "2026-01-01T00:00:00Z"}
    def bind(match):
        kind, value = match.group(1), match.group(2)
        if not value.startswith("$"):
            return match.group(0)
        return f'type="{kind}" value="{samples.get(kind, value[1:])}"'
    if os.access(kmip, os.X_OK):
        for path in sorted(glob.glob(os.path.join(root, "Vectors/oasis-xml/[12].*/*/*.xml"))):
            text = re.sub(r'type="(\w+)" value="([^"]*)"', bind, open(path).read())
            with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as handle:
                handle.write(text)
            result = subprocess.run([kmip, "convert", "--from", "xml", "--to", "hex", handle.name], capture_output=True, text=True)
            os.unlink(handle.name)
            for index, line in enumerate(result.stdout.split()):
                open(os.path.join(out, f"{os.path.basename(path)}.{index}.bin"), "wb").write(binascii.unhexlify(line)); n += 1
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
extra=()
# The server target runs the engine (an actor) through Swift concurrency, whose task and job
# memory LeakSanitizer reports as leaked at the end of an input: leak detection is off there.
[ "$target" = server ] && extra=(-detect_leaks=0)
if [ "$jobs" -gt 1 ]; then
  exec "$binary" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -jobs="$jobs" -workers="$jobs" -print_final_stats=1 "${extra[@]}" "$here/corpus-$target"
fi
exec "$binary" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$here/artifacts/" "${extra[@]}" "$here/corpus-$target"
