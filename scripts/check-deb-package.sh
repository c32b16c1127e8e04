#!/usr/bin/env bash
# Builds the Debian package from a built tree (CPack), checks what it declares and holds, then
# runs it as an installed copy would run: unpacked with `dpkg-deb -x` into a temporary folder,
# its descry-cli renders a short scene, ingests it and searches it with the model the package
# carries, and its GUI loads the results offscreen and saves a screenshot. Nothing of the source
# or build tree is used at run time (HOME, XDG folders and DESCRY_* point elsewhere).
# Usage: scripts/check-deb-package.sh [BUILD_DIR]   (default: build; also the ctest entry DebPackage)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
for tool in cpack dpkg-deb dpkg-shlibdeps; do
    if ! command -v "$tool" >/dev/null; then
        echo "check-deb-package: $tool is missing (apt-get install cmake dpkg-dev)" >&2
        exit 2
    fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-deb-package: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/out/*.deb)
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# Declared: the linked libraries found by dpkg-shlibdeps, and what is loaded rather than linked.
depends=$(dpkg-deb -f "$deb" Depends)
for need in libqt6core6 libqt6widgets6 libqt6sql6 libqt6sql6-sqlite libtorch1 libopencv-videoio libopenblas0-pthread; do
    grep -q "$need" <<<"$depends" || fail "Depends lacks $need: $depends"
done
[ "$(dpkg-deb -f "$deb" Package)" = descry ] || fail "the package is not named descry"

# Held: binaries, models, desktop entry, icon, AppStream data, copyright.
root=$work/root
dpkg-deb -x "$deb" "$root"
for f in usr/bin/descry usr/bin/descry-cli \
    usr/share/descry/models/descry-nafs-s.json usr/share/descry/models/descry-nafs-s.pt \
    usr/share/descry/models/descry-nafs-s.vocab usr/share/descry/models/descry-nafs-s.calibration.json \
    usr/share/descry/models/descry-nafs-p.json usr/share/descry/models/descry-nafs-p.pt \
    usr/share/descry/models/perception.json usr/share/descry/scripts/fetch-perception-models.sh \
    usr/share/applications/descry.desktop usr/share/icons/hicolor/scalable/apps/descry.svg \
    usr/share/metainfo/io.github.descry.Descry.metainfo.xml usr/share/doc/descry/copyright; do
    [ -e "$root/$f" ] || fail "the package lacks /$f"
done
if readelf -d "$root/usr/bin/descry-cli" | grep -Eq 'RPATH|RUNPATH'; then
    fail "descry-cli carries a build-tree RPATH: $(readelf -d "$root/usr/bin/descry-cli" | grep -E 'RPATH|RUNPATH')"
fi
if readelf -S "$root/usr/bin/descry-cli" | grep -q '\.debug_info'; then
    fail "descry-cli is not stripped"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.descry.Descry.metainfo.xml" >"$work/as.log" 2>&1 \
        || { cat "$work/as.log" >&2; fail "the AppStream metainfo does not validate"; }
fi
grep -q '^Exec=descry' "$root/usr/share/applications/descry.desktop" || fail "the desktop entry does not start descry"

# Run: an empty home, no source tree, no perception package: the model must come from the package.
home=$work/home
mkdir -p "$home"
run() {
    env -i PATH=/usr/bin:/bin HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CACHE_HOME="$home/.cache" \
        XDG_CONFIG_HOME="$home/.config" XDG_DATA_DIRS="$work/none" XDG_RUNTIME_DIR="$work" QT_QPA_PLATFORM=offscreen \
        OMP_NUM_THREADS=2 "$@"
}
cli=$root/usr/bin/descry-cli
cd "$work"
run "$cli" info --json >info.json 2>info.err || { cat info.err >&2; fail "descry-cli info failed"; }
grep -q "\"path\": \"$root/usr/share/descry/models/descry-nafs-s.json\"" info.json \
    || fail "descry-cli did not find the packaged model: $(grep '"path"' info.json | head -2)"
grep -q '"weights_check": "tensors SHA-256 [0-9a-f]* matches' info.json || fail "the packaged weights do not match their hash"
run "$cli" render --seed 3 --frames 60 --people 3 --out scene >render.log 2>&1 || { cat render.log >&2; fail "render failed"; }
run "$cli" ingest --detector background --pose off scene/scene.avi --gallery g.sqlite >ingest.log 2>&1 \
    || { cat ingest.log >&2; fail "ingest failed"; }
grep -q '1 ingested' ingest.log || fail "ingest did not ingest the scene: $(cat ingest.log)"
run "$cli" search "a person in a red top" --gallery g.sqlite --top 3 --all --json >search.json 2>search.err \
    || { cat search.err >&2; fail "search failed"; }
grep -q '"ranking": "model descry-nafs-s@' search.json || fail "search did not rank with the packaged model: $(grep ranking search.json)"
results=$(grep -c '"tracklet_id"' search.json || true)
[ "$results" -ge 1 ] || fail "search returned no results"
run "$root/usr/bin/descry" --gallery g.sqlite --query "a person in a red top" --screenshot shot.png >gui.log 2>&1 \
    || { cat gui.log >&2; fail "the GUI failed"; }
[ -s shot.png ] || fail "the GUI saved no screenshot"
echo "check-deb-package: ok — $(basename "$deb"): ingested a rendered scene and ranked $results results with the packaged descry-nafs-s; the GUI showed them"
