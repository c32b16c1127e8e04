#!/usr/bin/env bash
# Every real-caption figure of a model in one run (models/README.md, "Real people, real captions").
#
# usage: scripts/eval-real-people.sh MODEL.json OUT_DIR [GALLERY.sqlite]
#
# GALLERY: both real clips ingested with the defaults (made in OUT_DIR/real.sqlite from
# ../shared/footage when not given; the relevant spans of models/queries/real-people.json are
# that ingest's tracklets). Writes OUT_DIR/{crops,similar}-*.json, OUT_DIR/tracklets-*.json and
# OUT_DIR/summary.txt:
#  - caption -> crop: `eval` on every stored crop of the people's tracklets (177) and on the
#    tracker's best crop of each (50);
#  - image -> image: `eval --similar` on the one-crop-per-tracklet sets of the dev and test people;
#  - caption -> tracklet: the gallery reindexed with the model (on a copy), every caption of the
#    dev and test people searched with the default fusion and with the model alone.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: scripts/eval-real-people.sh MODEL.json OUT_DIR [GALLERY.sqlite]}
out=${2:?usage: scripts/eval-real-people.sh MODEL.json OUT_DIR [GALLERY.sqlite]}
gallery=${3:-}
cli=./build/bin/descry-cli
people=models/queries/real-people.json
mkdir -p "$out"
if [[ -z "$gallery" ]]; then
    gallery="$out/real.sqlite"
    if [[ ! -f "$gallery" ]]; then
        clips=(../shared/footage/vtest.avi ../shared/footage/one-by-one-person-detection.mp4)
        for clip in "${clips[@]}"; do
            [[ -f "$clip" ]] || { echo "eval-real-people: $clip is missing; give a gallery of both clips" >&2; exit 1; }
        done
        "$cli" ingest "${clips[@]}" --gallery "$gallery" >&2
    fi
fi
work="$out/work"
rm -rf "$work"
mkdir -p "$work"
for split in all dev test; do
    scripts/real-people-crops.py "$people" "$gallery" "$work/best-$split" --split "$split" --best-only >&2
done
scripts/real-people-crops.py "$people" "$gallery" "$work/every-all" >&2
"$cli" eval --data "$work/every-all" --model "$model" --no-ablations --json --out "$out/crops-every.json" >/dev/null
"$cli" eval --data "$work/best-all" --model "$model" --no-ablations --similar --json --out "$out/crops-best.json" >/dev/null
for split in dev test; do
    "$cli" eval --data "$work/best-$split" --model "$model" --no-ablations --no-baseline --similar --json \
        --out "$out/similar-$split.json" >/dev/null
done
cp "$gallery" "$work/gallery.sqlite"
"$cli" reindex --model "$model" --gallery "$work/gallery.sqlite" >&2
for split in dev test; do
    scripts/bench-footage-queries.py "$people" "$work/gallery.sqlite" --split "$split" --model "$model" \
        > "$out/tracklets-$split-fused.json"
    scripts/bench-footage-queries.py "$people" "$work/gallery.sqlite" --split "$split" --model "$model" \
        --attribute-weight 0 > "$out/tracklets-$split-model.json"
    scripts/bench-footage-queries.py "$people" "$work/gallery.sqlite" --split "$split" --no-model \
        > "$out/tracklets-$split-attributes.json"
done
/usr/bin/env python3 - "$out" <<'PY' | tee "$out/summary.txt"
import json, sys
out = sys.argv[1]
def row(name, m):
    return f"{name:58s} R@1 {m['r1']:.3f}  R@5 {m['r5']:.3f}  mAP {m['mAP']:.3f}"
for f, label in (("crops-every", "caption -> crop, every crop"), ("crops-best", "caption -> crop, best crop per tracklet")):
    d = json.load(open(f"{out}/{f}.json"))
    print(f"{label} ({d['images']} crops, {d['captions']} captions), model {d['model']}")
    for r in d["results"]:
        print("  " + row(r["name"], r))
for split in ("dev", "test"):
    d = json.load(open(f"{out}/similar-{split}.json"))
    print(f"image -> image, {split} people, best crop per tracklet ({d['images']} crops)")
    for r in d["similar"]:
        print("  " + row(r["name"], r))
for split in ("dev", "test"):
    print(f"caption -> tracklet, {split} people")
    for kind in ("fused", "model", "attributes"):
        d = json.load(open(f"{out}/tracklets-{split}-{kind}.json"))
        print("  " + row(f"{kind} ({d['queries']} captions)", d))
PY
