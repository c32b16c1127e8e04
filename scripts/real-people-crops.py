#!/usr/bin/python3
"""Writes the crops of a caption set's people as a text-to-person dataset (CUHK-PEDES layout) for `descry-cli eval`.

usage: scripts/real-people-crops.py PEOPLE.json GALLERY.sqlite OUT_DIR [--split dev|test|all] [--best-only]

PEOPLE.json: models/queries/real-people.json. GALLERY: a gallery made by `descry-cli ingest` with the defaults from the
clips the file names. Every stored crop (the tracker's best views, JPEG) of the person's tracklets becomes an image of
that person; the person's captions go with the first one, so each caption ranks every crop of the chosen people
(caption -> crop) and `eval --similar` measures image -> image on real people. All images are written to split "test".
--best-only keeps one crop per tracklet (the tracker's best), so image -> image finds a person in another tracklet
instead of a near-identical frame of the same one.
"""
import json
import os
import sqlite3
import sys


def main():
    args = sys.argv[1:]
    split = "all"
    best_only = "--best-only" in args
    if best_only:
        args.remove("--best-only")
    if "--split" in args:
        at = args.index("--split")
        split = args[at + 1]
        del args[at:at + 2]
    people = json.load(open(args[0]))["people"]
    db = sqlite3.connect(args[1])
    out = args[2]
    os.makedirs(os.path.join(out, "imgs"), exist_ok=True)
    entries = []
    for number, person in enumerate(people):
        if split != "all" and person["split"] != split:
            continue
        camera = os.path.splitext(person["footage"])[0]
        first = True
        for span in person["tracklets"]:
            start, end = span[0], span[1]
            # Where two tracklets share the times, the span's third number is the left edge of the first box (to 20 px).
            left = span[2] if len(span) > 2 else None
            rows = db.execute(
                "SELECT c.id, c.image FROM crops c JOIN tracklets t ON t.id = c.tracklet_id JOIN sources s ON s.id = t.source_id "
                "WHERE s.camera_label = ? AND abs(t.start_time - ?) < 0.05 AND abs(t.end_time - ?) < 0.05"
                + (" AND abs((SELECT d.x FROM detections d WHERE d.tracklet_id = t.id ORDER BY d.frame LIMIT 1) - ?) < 20"
                   if left is not None else "")
                + (" AND c.rank = 0" if best_only else "") + " ORDER BY c.id",
                (camera, start, end) + ((left,) if left is not None else ())).fetchall()
            if not rows:
                sys.exit(f"{person['id']}: no tracklet {start}-{end} s of camera {camera} in {args[1]}; ingest the clip with the defaults")
            for crop_id, image in rows:
                name = f"{person['id']}/{crop_id}.jpg"
                os.makedirs(os.path.join(out, "imgs", person["id"]), exist_ok=True)
                with open(os.path.join(out, "imgs", name), "wb") as f:
                    f.write(image)
                entries.append({"id": number + 1, "file_path": name, "captions": person["captions"] if first else [],
                                "split": "test"})
                first = False
    json.dump(entries, open(os.path.join(out, "reid_raw.json"), "w"), indent=1)
    print(f"{len(entries)} crops of {len({e['id'] for e in entries})} people in {out}")


if __name__ == "__main__":
    main()
