#!/usr/bin/python3
"""One person, many results: how often the top 10 of a caption search repeats a person, before and after results are
grouped by identity (descry-cli search --by-person), on a caption set whose people name every tracklet of their clips.

usage: scripts/bench-duplicates.py PEOPLE.json GALLERY.sqlite [--split dev|test|all] [--top N] [descry-cli search options...]

PEOPLE: models/queries/real-people.json. GALLERY: the clips ingested with the defaults, grouped into identities
(`descry-cli identities --regroup`, which ingest does). For each caption and each way: the results of the top N
(default 10) that repeat a person already shown above them, how many distinct people the top N shows, and the rank of
the caption's own person (R@1, R@5 by person). Prints JSON.
"""
import importlib.util
import json
import os
import subprocess
import sys

here = os.path.dirname(__file__)
spec = importlib.util.spec_from_file_location("queries", os.path.join(here, "bench-footage-queries.py"))
queries_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(queries_module)


def person_of(result, people):
    camera = result["camera"]
    for person in people:
        if os.path.splitext(person["footage"])[0] == camera and any(queries_module.names(s, result) for s in person["tracklets"]):
            return person["id"]
    return "tracklet %d" % result["tracklet_id"]  # nobody's: a person of its own


def main():
    args = sys.argv[1:]
    split, top = "all", 10
    for flag in ("--split", "--top"):
        if flag in args:
            at = args.index(flag)
            value = args[at + 1]
            del args[at:at + 2]
            if flag == "--split":
                split = value
            else:
                top = int(value)
    people = json.load(open(args[0]))["people"]
    gallery, extra = args[1], args[2:]
    cli = os.environ.get("DESCRY_CLI", os.path.join(here, "..", "build", "bin", "descry-cli"))
    report = {"split": split, "top": top}
    for way, flags in (("tracklets", []), ("by_person", ["--by-person"])):
        duplicates = distinct = r1 = r5 = 0
        captions = 0
        for person in people:
            if split != "all" and person["split"] != split:
                continue
            for text in person["captions"]:
                out = subprocess.run([cli, "search", text, "--json", "--top", str(top), "--all", "--gallery", gallery]
                                     + flags + extra, capture_output=True, text=True, check=True).stdout
                shown = [person_of(r, people) for r in json.loads(out)["results"]]
                duplicates += len(shown) - len(set(shown))
                distinct += len(set(shown))
                rank = shown.index(person["id"]) if person["id"] in shown else top
                r1 += rank < 1
                r5 += rank < 5
                captions += 1
        report[way] = {"captions": captions, "duplicates_per_query": duplicates / captions,
                       "distinct_people_per_query": distinct / captions, "r1_person": r1 / captions,
                       "r5_person": r5 / captions}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
