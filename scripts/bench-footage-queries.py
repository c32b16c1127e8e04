#!/usr/bin/python3
"""Retrieval on real footage with hand-written queries (models/queries/*.json).

usage: scripts/bench-footage-queries.py QUERIES.json GALLERY.sqlite [--split dev|test|all] [descry-cli search options...]

Runs `descry-cli search --json --top 1000 --all` (nothing hidden below the cut-off) for every query and reports R@1, R@5 and
mAP, where a result is relevant when its tracklet's start/end times match one of the query's (to 0.05 s; a third number
in a span, where two tracklets share the times, is the left edge of the tracklet's first box, to 20 px).

QUERIES is either a query file ({"queries": [{"text", "relevant": [[start, end], ...]}]}) or a caption set of people
({"people": [{"footage", "split", "tracklets": [[start, end], ...], "captions": [...]}]}, models/queries/real-people.json),
where every caption is a query and only tracklets of the person's clip count (--split picks the people, default all).
"""
import json
import os
import subprocess
import sys


def names(span, result):
    """A relevant span [start, end] (seconds, to 0.05 s) names a result; where two tracklets of a clip share the
    times, the span's third number is the left edge of the tracklet's first box (pixels, to 20 px)."""
    if abs(result["start_time"] - span[0]) >= 0.05 or abs(result["end_time"] - span[1]) >= 0.05:
        return False
    if len(span) < 3:
        return True
    first = min(result["detections"], key=lambda d: d["frame"])
    return abs(first["box"][0] - span[2]) < 20


def load_queries(path, split):
    doc = json.load(open(path))
    if "queries" in doc:
        return doc["queries"]
    queries = []
    for person in doc["people"]:
        if split != "all" and person["split"] != split:
            continue
        camera = os.path.splitext(person["footage"])[0]
        queries += [{"text": text, "relevant": person["tracklets"], "camera": camera, "person": person["id"]}
                    for text in person["captions"]]
    return queries


def main():
    args = sys.argv[1:]
    split = "all"
    if "--split" in args:
        at = args.index("--split")
        split = args[at + 1]
        del args[at:at + 2]
    queries = load_queries(args[0], split)
    gallery = args[1]
    extra = args[2:]
    cli = os.environ.get("DESCRY_CLI", os.path.join(os.path.dirname(__file__), "..", "build", "bin", "descry-cli"))
    r1 = r5 = ap_sum = 0.0
    rows = []
    for q in queries:
        out = subprocess.run([cli, "search", q["text"], "--json", "--top", "1000", "--all", "--gallery", gallery] + extra,
                             capture_output=True, text=True, check=True).stdout
        results = json.loads(out)["results"]
        relevant = q["relevant"]
        camera = q.get("camera")
        hits = [(camera is None or r["camera"] == camera) and any(names(span, r) for span in relevant)
                for r in results]
        first = hits.index(True) if True in hits else len(hits)
        found, precision = 0, 0.0
        for rank, hit in enumerate(hits):
            if hit:
                found += 1
                precision += found / (rank + 1)
        ap = precision / len(relevant)
        r1 += first < 1
        r5 += first < 5
        ap_sum += ap
        rows.append({"text": q["text"], "first_relevant_rank": first + 1, "ap": round(ap, 3)})
    n = len(queries)
    print(json.dumps({"queries": n, "split": split, "r1": r1 / n, "r5": r5 / n, "mAP": ap_sum / n, "per_query": rows}, indent=2))


if __name__ == "__main__":
    main()
