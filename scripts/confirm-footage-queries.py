#!/usr/bin/python3
"""Store hand-written queries (models/queries/*.json) as confirmed reviews in a gallery.

usage: scripts/confirm-footage-queries.py QUERIES.json GALLERY.sqlite [--author NAME]

For every query, each relevant tracklet (named by its start/end time, matched to 0.05 s as
scripts/bench-footage-queries.py matches them) gets `descry-cli review add ID --query TEXT
--verdict confirmed`, with the query's "label" when it has one (tracklets sharing a label are one
identity in `descry-cli review export-dataset`). The tracklet ids come from `descry-cli search
--json` over the whole gallery; a relevant tracklet that is not there is an error.
"""
import json
import os
import subprocess
import sys


def main():
    args = sys.argv[1:]
    author = "confirm-footage-queries"
    if "--author" in args:
        i = args.index("--author")
        author = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    queries = json.load(open(args[0]))
    gallery = args[1]
    cli = os.environ.get("DESCRY_CLI", os.path.join(os.path.dirname(__file__), "..", "build", "bin", "descry-cli"))
    stored = 0
    for q in queries["queries"]:
        out = subprocess.run([cli, "search", q["text"], "--json", "--top", "1000", "--all", "--gallery", gallery],
                             capture_output=True, text=True, check=True).stdout
        results = json.loads(out)["results"]
        for start, end in q["relevant"]:
            ids = [r["tracklet_id"] for r in results
                   if abs(r["start_time"] - start) < 0.05 and abs(r["end_time"] - end) < 0.05]
            if len(ids) != 1:
                sys.exit(f"no single tracklet from {start} s to {end} s in {gallery} (query \"{q['text']}\")")
            command = [cli, "review", "add", str(ids[0]), "--query", q["text"], "--verdict", "confirmed",
                       "--author", author, "--gallery", gallery]
            if q.get("label"):
                command += ["--label", q["label"]]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            stored += 1
    print(f"{stored} confirmed (query, tracklet) pairs stored in {gallery}")


if __name__ == "__main__":
    main()
