#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to the Descry window: installs what is missing,
# builds, fetches the real demo footage (vtest.avi from Debian's opencv-doc), ingests it once
# into the demo gallery and opens the GUI on it. Without a display it runs under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
CLIP=$(./scripts/fetch-demo-footage.sh)
DATA="${XDG_DATA_HOME:-$HOME/.local/share}/Descry"
GALLERY="${DESCRY_DEMO_GALLERY:-$DATA/demo-gallery.sqlite}"
echo "demo: ingesting $CLIP into $GALLERY (once; later runs reuse it)"
./build/bin/descry-cli ingest "$CLIP" --gallery "$GALLERY" --camera "campus walkway" || echo "demo: ingest reported problems (see above); opening the gallery anyway"
# A gallery from an earlier run keeps the embeddings of the model it was made with: add the
# shipped model's (tracklets that have them are skipped; a second or so for the demo clip).
./build/bin/descry-cli reindex --gallery "$GALLERY" || echo "demo: reindex reported problems (see above); search falls back to attributes where embeddings are missing"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: no display found; running under Xvfb (set DISPLAY to see the window)"
  exec xvfb-run -a -s '-screen 0 1440x900x24' ./build/bin/descry --gallery "$GALLERY" --demo "$@"
fi
exec ./build/bin/descry --gallery "$GALLERY" --demo "$@"
