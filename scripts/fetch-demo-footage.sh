#!/usr/bin/env bash
# Puts the real pedestrian clip vtest.avi (768x576, 10 fps, 79 s; shipped by Debian's
# opencv-doc package) into the cache folder without installing the whole documentation
# package: `apt-get download` the .deb and extract that one file. Prints the clip's path.
set -euo pipefail
CACHE="${DESCRY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/descry}"
CLIP="$CACHE/footage/vtest.avi"
MEMBER="./usr/share/doc/opencv-doc/examples/data/vtest.avi"
if [ -s "$CLIP" ]; then
  echo "$CLIP"
  exit 0
fi
mkdir -p "$CACHE/footage"
if [ -f /usr/share/doc/opencv-doc/examples/data/vtest.avi ]; then
  cp /usr/share/doc/opencv-doc/examples/data/vtest.avi "$CLIP"
  echo "$CLIP"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  if ! apt-get download opencv-doc >/dev/null 2>&1; then
    # The package lists may be missing on a fresh machine.
    if [ "$(id -u)" -eq 0 ]; then apt-get update -q >/dev/null; else sudo apt-get update -q >/dev/null; fi
    apt-get download opencv-doc >/dev/null
  fi
  dpkg-deb --fsys-tarfile opencv-doc_*.deb | tar -x "$MEMBER"
)
mv "$work/$MEMBER" "$CLIP"
echo "$CLIP"
