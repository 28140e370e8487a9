#!/usr/bin/env bash
# The main job in one command: camera -> KMIP key -> seal -> upload -> fetch -> KMIP key -> open
# -> check, with a key rotation and a crypto-shredded key, against the reference KMIP server
# started in process. Installs what the machine lacks, builds, and runs `kmip-demo` from the
# current directory (its data goes to ./kmip-demo-data unless --data DIR says otherwise).
#
#   scripts/demo.sh                     4 clips, rotate after 2, shred the first key
#   scripts/demo.sh --clips 6 --rotate-every 3 --data /tmp/demo
#   scripts/demo.sh --help
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

command -v swift >/dev/null || { echo "demo.sh: swift is not on PATH (https://swift.org/install)" >&2; exit 1; }
# The reference server's store links the system's SQLite.
[ -f /usr/include/sqlite3.h ] || {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libsqlite3-dev >/dev/null; else
    echo "demo.sh: libsqlite3-dev is needed (sudo apt-get install libsqlite3-dev)" >&2; exit 1; fi
}
command -v ffmpeg >/dev/null || echo "demo.sh: ffmpeg is not installed: the demo seals a bundled sample clip instead of recording (apt-get install ffmpeg for the camera stand-in)" >&2

echo "demo.sh: building kmip-demo (the first build takes a few minutes)" >&2
swift build --package-path "$root" --product kmip-demo >&2
exec "$(swift build --package-path "$root" --show-bin-path)/kmip-demo" "$@"
