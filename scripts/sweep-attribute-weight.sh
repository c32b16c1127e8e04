#!/usr/bin/env bash
# Caption -> tracklet mAP of a model at several attribute weights, on one split of the real caption set
# (models/README.md, "Calibration"): the weight `calibrate --attribute-weight` then writes with the fit is chosen here,
# on the dev people, and only checked on the test people.
#
# usage: scripts/sweep-attribute-weight.sh MODEL.json GALLERY.sqlite SPLIT OUT_DIR [WEIGHT...]
#
# GALLERY: both real clips ingested with the defaults and reindexed with MODEL (scripts/eval-real-people.sh leaves one
# in OUT/work/gallery.sqlite). Writes OUT_DIR/tracklets-SPLIT-wW.json per weight and prints one line per weight.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/sweep-attribute-weight.sh MODEL.json GALLERY.sqlite SPLIT OUT_DIR [WEIGHT...]"
model=${1:?$usage}
gallery=${2:?$usage}
split=${3:?$usage}
out=${4:?$usage}
shift 4
weights=("$@")
[[ ${#weights[@]} -gt 0 ]] || weights=(0 0.5 1 2 4 8 16)
mkdir -p "$out"
for w in "${weights[@]}"; do
    scripts/bench-footage-queries.py models/queries/real-people.json "$gallery" --split "$split" --model "$model" \
        --attribute-weight "$w" > "$out/tracklets-$split-w$w.json"
    /usr/bin/env python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print("%s  w %5.2f  R@1 %.3f  R@5 %.3f  mAP %.3f" % (sys.argv[2], float(sys.argv[3]), d["r1"], d["r5"], d["mAP"]))' \
        "$out/tracklets-$split-w$w.json" "$split" "$w"
done
