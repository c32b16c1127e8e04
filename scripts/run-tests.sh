#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh -DDESCRY_WARNINGS_AS_ERRORS=ON
cd build
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --no-tests=error -j 2
