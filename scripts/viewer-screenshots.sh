#!/usr/bin/env bash
# Screenshots of the clip viewer with headless Chromium (Debian's): the clip list after login
# (docs/viewer-list.png) and a clip playing (docs/viewer-playing.png).
#
#   scripts/viewer-screenshots.sh [OUTPUT_DIR]      (default: docs)
#
# Starts clip-viewer-harness on three clips sealed from the bundled sample with in-memory keys
# (one of them destroyed) and one user, signs in through the real login form over the DevTools
# protocol (scripts/viewer-screenshots.py), and saves the two PNGs. Installs chromium with apt-get
# when root and it is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-docs}
mkdir -p "$out"

chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    chromium=$(command -v chromium)
  else
    echo "viewer-screenshots.sh: chromium is needed (apt-get install chromium)" >&2; exit 1
  fi
fi
command -v python3 >/dev/null || { echo "viewer-screenshots.sh: python3 is needed" >&2; exit 1; }

swift build --product clip-viewer-harness >&2
harness="$(swift build --show-bin-path)/clip-viewer-harness"

work=$(mktemp -d "${TMPDIR:-/tmp}/viewer-screenshots.XXXXXX")
harness_pid=
cleanup() {
  if [ -n "$harness_pid" ]; then kill "$harness_pid" 2>/dev/null || true; wait "$harness_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A throwaway password for a throwaway user, in a file only we can read.
(umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(18))' > "$work/password")

"$harness" --sample Sources/Examples/kmip-demo/Resources/sample.mp4 --directory "$work/viewer" \
  --user viewer --password-file "$work/password" --port 0 > "$work/harness.log" 2>&1 &
harness_pid=$!

url=
for _ in $(seq 1 300); do
  url=$(sed -n 's/^listening \(https:[^ ]*\)$/\1/p' "$work/harness.log" | head -1)
  [ -n "$url" ] && break
  kill -0 "$harness_pid" 2>/dev/null || { cat "$work/harness.log" >&2; echo "viewer-screenshots.sh: the harness stopped" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/harness.log" >&2; echo "viewer-screenshots.sh: the harness did not start" >&2; exit 1; }
echo "viewer at $url" >&2

python3 scripts/viewer-screenshots.py "$chromium" "$url" viewer "$work/password" front-door-0003.mp4.sealed \
  "$out/viewer-list.png" "$out/viewer-playing.png"

# Smaller PNGs where ImageMagick is really there (Debian's convert; not a stand-in).
if convert -version 2>/dev/null | grep -q ImageMagick; then
  for png in "$out/viewer-list.png" "$out/viewer-playing.png"; do
    convert "$png" -strip -colors 128 -define png:compression-level=9 "$png.small" && mv "$png.small" "$png"
  done
fi
ls -l "$out/viewer-list.png" "$out/viewer-playing.png" >&2
