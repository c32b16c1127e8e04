#!/usr/bin/env bash
# Checks the module map on a built tree (ARCHITECTURE.md, "Modules"):
#  1. no ui/ translation unit (nor the GUI's main.cpp) includes an OpenCV or LibTorch header,
#     read from the compiler's own dependency records (Ninja's deps log), so what is checked is
#     exactly what was compiled;
#  2. the GUI links none of the offline libraries (synth, train, eval), read from build.ninja,
#     and its binary defines none of their functions, read with nm.
# Each check first proves it can see what it looks for (torch headers in a nafs object; offline
# functions in descry-cli), so an empty result means "absent", not "not looked at".
# Usage: scripts/check-module-boundaries.sh [BUILD_DIR]   (default: build)
set -euo pipefail
build=${1:-build}
fail=0
forbidden='/opencv4/|/opencv2/|/torch/|/ATen/|/c10/|/caffe2/'

if [ ! -f "$build/.ninja_deps" ]; then
    echo "check-module-boundaries: $build was not built with Ninja (no .ninja_deps); build with scripts/build.sh" >&2
    exit 2
fi
deps=$(ninja -C "$build" -t deps 2>/dev/null)

# Per object file: its path, then the headers it read (indented lines).
objects_matching() { # $1: regex on the object path
    awk -v pat="$1" '/^[^ \t].*: #deps/ { obj = $1; sub(/:$/, "", obj); keep = (obj ~ pat); if (keep) print "OBJ " obj; next }
                     keep && NF { print $1 }' <<<"$deps"
}

ui=$(objects_matching '^(ui/|app/CMakeFiles/descry\.dir/)')
ui_objects=$(grep -c '^OBJ ' <<<"$ui" || true)
control=$(objects_matching '^core/nafs/' | grep -Ec "$forbidden" || true)
if [ "$ui_objects" -lt 10 ] || [ "$control" -eq 0 ]; then
    echo "check-module-boundaries: the deps log does not hold the ui objects ($ui_objects) or the nafs objects' torch headers ($control): rebuild and run again" >&2
    exit 2
fi
leaks=$(awk '/^OBJ / { obj = $2; next } { print obj " <- " $0 }' <<<"$ui" | grep -E "$forbidden" || true)
if [ -n "$leaks" ]; then
    echo "FAIL: ui translation units include OpenCV/LibTorch headers:"
    echo "$leaks" | head -20
    fail=1
else
    echo "ok: $ui_objects ui/GUI translation units, none includes an OpenCV or LibTorch header (the nafs objects read $control such headers, so they are seen)"
fi

# The GUI's link line names no offline library (descry-cli's does: the control).
link_libs() { awk -v t="build $1:" 'index($0, t) == 1 { on = 1 } on { print } on && !/\$$/ { exit }' "$build/build.ninja" \
    | grep -o 'libdescry_[a-z_]*\.a' | sort -u; }
gui_offline=$(link_libs bin/descry | grep -E 'libdescry_(synth|train|eval)\.a' || true)
cli_offline=$(link_libs bin/descry-cli | grep -cE 'libdescry_(synth|train|eval)\.a' || true)
if [ "$cli_offline" -ne 3 ]; then
    echo "check-module-boundaries: cannot read the link lines in $build/build.ninja (descry-cli names $cli_offline of 3 offline libraries)" >&2
    exit 2
fi
if [ -n "$gui_offline" ]; then
    echo "FAIL: the GUI links offline libraries: $gui_offline"
    fail=1
else
    echo "ok: the GUI links $(link_libs bin/descry | grep -c .) descry libraries, none of synth/train/eval (descry-cli links all 3)"
fi

# Strong function symbols the offline libraries define.
# Strong (T) function symbols of nm's output on stdin, demangled names only, sorted.
strong_functions() { awk '$2 == "T" { $1 = ""; $2 = ""; sub(/^  /, ""); print }' | sort -u; }
offline=$(for lib in synth train eval; do nm -C --defined-only "$build/lib/libdescry_$lib.a" 2>/dev/null; done \
    | strong_functions | grep '^descry::')
offline_count=$(grep -c . <<<"$offline" || true)
in_cli=$(nm -C --defined-only "$build/bin/descry-cli" | strong_functions | comm -12 - <(echo "$offline") | grep -c . || true)
if [ "$offline_count" -lt 50 ] || [ "$in_cli" -eq 0 ]; then
    echo "check-module-boundaries: cannot read the offline libraries' symbols ($offline_count) or find them in descry-cli ($in_cli)" >&2
    exit 2
fi
in_gui=$(nm -C --defined-only "$build/bin/descry" | strong_functions | comm -12 - <(echo "$offline") || true)
if [ -n "$in_gui" ]; then
    echo "FAIL: the GUI binary contains offline code:"
    echo "$in_gui" | head -20
    fail=1
else
    echo "ok: the GUI binary defines none of the $offline_count functions of synth/train/eval (descry-cli defines $in_cli of them)"
fi
exit $fail
