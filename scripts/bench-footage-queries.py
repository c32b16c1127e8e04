#!/usr/bin/python3
"""Retrieval on real footage with hand-written queries (models/queries/*.json).

usage: scripts/bench-footage-queries.py QUERIES.json GALLERY.sqlite [descry-cli search options...]

Runs `descry-cli search --json --top 1000 --all` (nothing hidden below the cut-off) for every query and reports R@1, R@5 and mAP, where a
result is relevant when its tracklet's start/end times match one of the query's (to 0.05 s).
"""
import json
import os
import subprocess
import sys

def main():
    queries = json.load(open(sys.argv[1]))
    gallery = sys.argv[2]
    extra = sys.argv[3:]
    cli = os.environ.get("DESCRY_CLI", os.path.join(os.path.dirname(__file__), "..", "build", "bin", "descry-cli"))
    r1 = r5 = ap_sum = 0.0
    rows = []
    for q in queries["queries"]:
        out = subprocess.run([cli, "search", q["text"], "--json", "--top", "1000", "--all", "--gallery", gallery] + extra,
                             capture_output=True, text=True, check=True).stdout
        results = json.loads(out)["results"]
        relevant = q["relevant"]
        hits = [any(abs(r["start_time"] - s) < 0.05 and abs(r["end_time"] - e) < 0.05 for s, e in relevant) for r in results]
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
    n = len(queries["queries"])
    print(json.dumps({"queries": n, "r1": r1 / n, "r5": r5 / n, "mAP": ap_sum / n, "per_query": rows}, indent=2))

if __name__ == "__main__":
    main()
