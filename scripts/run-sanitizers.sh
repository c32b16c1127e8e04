#!/usr/bin/env bash
# Builds Descry with AddressSanitizer + UndefinedBehaviorSanitizer into build-sanitize/ and runs
# the whole test suite under them. Any finding in Descry's code fails the test that hit it: UB
# aborts (-fno-sanitize-recover), ASan stops at the first error, LeakSanitizer reports at exit.
# Suppressions (scripts/sanitizers/) name only leaks inside libraries Descry does not build, each
# with its reason. Extra arguments go to ctest (e.g. -R TestGallery).
#   scripts/run-sanitizers.sh            # build, then the suite; exit 0 only with zero findings
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
./scripts/install-deps.sh
# A ccache of its own: sanitizer objects would otherwise push the normal build's out.
export CCACHE_DIR=${CCACHE_DIR_SANITIZE:-${XDG_CACHE_HOME:-$HOME/.cache}/ccache-sanitize}
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDESCRY_SANITIZE=ON
cmake --build build-sanitize

# halt_on_error: the first error ends the process (and fails its test). detect_leaks: LSan at
# exit. The torch, Qt and OpenBLAS libraries are not instrumented; ASan still checks every access
# Descry's code makes to their memory.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1:check_initialization_order=1:abort_on_error=0:exitcode=23"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$root/scripts/sanitizers/ubsan.supp"
export LSAN_OPTIONS="suppressions=$root/scripts/sanitizers/lsan.supp:print_suppressions=0"
# Instrumented code runs 2-5x slower: Qt Test's 5-minute limit per test function is raised (the
# real-footage ingest under NanoDet takes longer than that on 2 cores).
export QTEST_FUNCTION_TIMEOUT=1500000
cd build-sanitize
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --no-tests=error -j 2 --timeout 1500 "$@"
