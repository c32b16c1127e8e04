#!/usr/bin/env bash
# Saves a PNG of the Descry window showing a demo query's results, under Xvfb (no display
# needed): descry --gallery G --demo --screenshot OUT grabs the window once the first results
# and their thumbnails have loaded, then quits.
#
#   scripts/screenshot.sh [GALLERY] [OUT.png] [extra descry options, e.g. --query "red coat",
#       --screenshot-view review | heatmap:WORD]
#
# GALLERY defaults to the demo gallery of run-demo.sh (built from the demo footage if it does
# not exist yet); OUT defaults to descry-screenshot.png. BUILD_DIR (default build) names the
# build to use. Window settings come from a fresh temporary config, so every run has the same
# layout.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}/Descry"
GALLERY="${1:-${DESCRY_DEMO_GALLERY:-$DATA/demo-gallery.sqlite}}"
OUT="${2:-descry-screenshot.png}"
shift $(( $# > 2 ? 2 : $# ))

if [ ! -x "$BUILD_DIR/bin/descry" ]; then
  echo "screenshot: $BUILD_DIR/bin/descry not built (run scripts/build.sh or set BUILD_DIR)" >&2
  exit 1
fi
if [ ! -f "$GALLERY" ]; then
  CLIP=$(./scripts/fetch-demo-footage.sh)
  echo "screenshot: no gallery at $GALLERY; ingesting $CLIP first"
  "$BUILD_DIR/bin/descry-cli" ingest "$CLIP" --gallery "$GALLERY" --camera "campus walkway"
fi

CONFIG=$(mktemp -d)
trap 'rm -rf "$CONFIG"' EXIT
XDG_CONFIG_HOME="$CONFIG" xvfb-run -a -s '-screen 0 1440x900x24' \
  "$BUILD_DIR/bin/descry" --gallery "$GALLERY" --demo --screenshot "$OUT" "$@"
echo "screenshot: $OUT"
