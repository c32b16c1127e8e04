#!/usr/bin/python3
"""Carries hand-written queries (models/queries/*.json) over to another gallery of the same footage.

usage: scripts/transfer-footage-queries.py QUERIES.json FROM.sqlite TO.sqlite > NEW.json

The queries name their relevant tracklets by start/end time in the gallery they were written on
(the background detector's). Another detector cuts the same people into other tracklets. A
tracklet of TO is relevant when most of its boxes (>= 60 %, over at least 3 of its frames) lie on
the boxes of one relevant tracklet of FROM (IoU >= 0.4 at the nearest frame of that tracklet, at
most 2 frames away). This transfers the team's by-eye judgement by box overlap; it does not
replace it: tracklets nobody looked at inherit the label of the person they overlap.
"""
import bisect
import json
import sqlite3
import sys


def tracklets(path):
    db = sqlite3.connect(path)
    out = {}
    for tid, start, end in db.execute("SELECT id, start_time, end_time FROM tracklets"):
        rows = db.execute("SELECT frame, x, y, w, h FROM detections WHERE tracklet_id = ? ORDER BY frame", (tid,))
        out[tid] = {"start": start, "end": end, "boxes": [(f, (x, y, w, h)) for f, x, y, w, h in rows]}
    return out


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = min(ax + aw, bx + bw) - max(ax, bx)
    h = min(ay + ah, by + bh) - max(ay, by)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (aw * ah + bw * bh - inter)


def on(candidate, reference):
    frames = [f for f, _ in reference["boxes"]]
    inside = hits = 0
    for f, box in candidate["boxes"]:
        i = bisect.bisect_left(frames, f)
        near = [j for j in (i - 1, i) if 0 <= j < len(frames) and abs(frames[j] - f) <= 2]
        if not near:
            continue
        inside += 1
        j = min(near, key=lambda k: abs(frames[k] - f))
        hits += iou(box, reference["boxes"][j][1]) >= 0.4
    return inside >= 3 and hits >= 0.6 * len(candidate["boxes"])


def main():
    queries = json.load(open(sys.argv[1]))
    source, target = tracklets(sys.argv[2]), tracklets(sys.argv[3])
    out = {"footage": queries.get("footage", ""),
           "note": "Transferred by scripts/transfer-footage-queries.py from %s (%s) to %s by box overlap." %
                   (sys.argv[1], sys.argv[2], sys.argv[3]),
           "queries": []}
    for q in queries["queries"]:
        refs = [t for t in source.values()
                if any(abs(t["start"] - s) < 0.05 and abs(t["end"] - e) < 0.05 for s, e in q["relevant"])]
        relevant = sorted({(round(t["start"], 3), round(t["end"], 3)) for t in target.values()
                           if any(on(t, r) for r in refs)})
        if len(refs) != len(q["relevant"]):
            print("warning: %r: %d of %d relevant tracklets not in %s" % (q["text"], len(q["relevant"]) - len(refs),
                                                                          len(q["relevant"]), sys.argv[2]), file=sys.stderr)
        if relevant:
            out["queries"].append({"text": q["text"], "relevant": [list(r) for r in relevant]})
        else:
            print("warning: %r: no tracklet of %s is its person" % (q["text"], sys.argv[3]), file=sys.stderr)
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
