#!/usr/bin/env bash
# Fault trials (issue 15): what a kill -9 at a random moment, a damaged gallery page or damaged
# model weights do to Descry, counted and written to a JSON file.
#
#   scripts/fault-trials.sh [--seed N] [--ingest N] [--reindex N] [--train N] [--pages N]
#                           [--weights N] [--footage FILE] [--out FILE] [--work DIR]
#
# - ingest / reindex / train: one uninterrupted reference run, then N runs each killed with
#   SIGKILL after a seeded random share of the reference's time (a third of them in its last
#   fifth: late in the file), resumed by running the same command again, and compared with the
#   reference: survived (the resumed run finished and SQLite's integrity check passes), identical
#   (the gallery's content — tracklets, detections, crops, attributes, embeddings, keyed by
#   source and tracklet number, not by row id — or the trained weights' tensor hash is the
#   reference's), lost (reference tracklets missing), duplicated (tracklets more than once or
#   not in the reference).
# - pages: a copy of the reference gallery with one seeded random 4 KB page overwritten by
#   seeded random bytes; `search` must refuse it (exit 1, "damaged") without writing a byte,
#   and `gallery repair` must give a gallery that passes the check (lost: tracklets it lacks).
# - weights: a copy of the shipped model with 64 KB of seeded random bytes at a seeded random
#   place in its .pt; `search` must refuse the weights and rank by attributes.
#
# Needs a build (build/bin/descry-cli), sqlite3 and python3. Writes docs/bench/faults.json by
# default. Takes roughly (ingest + reindex) x 2.5 x the reference's time, plus the training runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

seed=1
ingest_trials=12
reindex_trials=8
train_trials=3
page_trials=20
weight_trials=10
footage=../shared/footage/vtest.avi
out=docs/bench/faults.json
work=${TMPDIR:-/tmp}/descry-fault-trials
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    --ingest) ingest_trials=$2; shift 2 ;;
    --reindex) reindex_trials=$2; shift 2 ;;
    --train) train_trials=$2; shift 2 ;;
    --pages) page_trials=$2; shift 2 ;;
    --weights) weight_trials=$2; shift 2 ;;
    --footage) footage=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "fault-trials: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

CLI=${DESCRY_CLI:-$ROOT/build/bin/descry-cli}
for need in "$CLI" sqlite3 python3; do
  if ! command -v "$need" >/dev/null 2>&1; then
    echo "fault-trials: $need is missing (build Descry first; apt-get install sqlite3 python3)" >&2
    exit 1
  fi
done
if [ ! -f "$footage" ]; then
  echo "fault-trials: no footage at $footage (give one with --footage FILE)" >&2
  exit 1
fi
footage=$(realpath "$footage")
rm -rf "$work"
mkdir -p "$work"
rows=$work/trials.tsv
: > "$rows"
# The check records of galleries this script makes stay in its own cache.
export XDG_CACHE_HOME=$work/cache

# A seeded random number in [lo, hi) for trial `i` of kind `kind`.
draw() { python3 -c "import random,sys; r=random.Random('$seed/$1/$2'); print(r.uniform($3,$4))"; }
# `n` seeded random bytes for trial `i` of kind `kind` on stdout.
garbage() { python3 -c "import random,sys; sys.stdout.buffer.write(random.Random('$seed/$1/$2').randbytes($3))"; }
now() { date +%s.%N; }
elapsed() { python3 -c "print(round($2 - $1, 2))"; }

# One line per table: its rows, keyed by source and tracklet number (row ids may differ).
digest() {
  sqlite3 "$1" <<'SQL'
.mode list
CREATE TEMP VIEW k AS SELECT t.id AS id, s.content_hash || ':' || t.local_id AS key FROM tracklets t JOIN sources s ON s.id = t.source_id;
SELECT 'tracklets', hex(sha3_query('SELECT k.key, t.start_frame, t.end_frame, t.detection_count FROM tracklets t JOIN k ON k.id = t.id ORDER BY k.key'));
SELECT 'detections', hex(sha3_query('SELECT k.key, d.frame, d.x, d.y, d.w, d.h, d.score FROM detections d JOIN k ON k.id = d.tracklet_id ORDER BY k.key, d.frame'));
SELECT 'crops', hex(sha3_query('SELECT k.key, c.rank, c.frame, c.x, c.y, c.w, c.h, c.quality, c.image, c.mask FROM crops c JOIN k ON k.id = c.tracklet_id ORDER BY k.key, c.rank'));
SELECT 'attributes', hex(sha3_query('SELECT k.key, a.region, a.name, a.value FROM attributes a JOIN k ON k.id = a.tracklet_id ORDER BY k.key, a.region, a.name'));
SELECT 'embeddings', hex(sha3_query('SELECT k.key, e.model_id, e.kind, e.vector FROM embeddings e JOIN k ON k.id = e.tracklet_id ORDER BY k.key, e.model_id, e.kind'));
SQL
}
keys() {
  sqlite3 "$1" "SELECT s.content_hash || ':' || t.local_id FROM tracklets t JOIN sources s ON s.id = t.source_id ORDER BY 1"
}
integrity() { sqlite3 "$1" "PRAGMA integrity_check" 2>&1 | head -1; }

# kind trial survived identical lost duplicated seconds_killed_at note [wrong_values]
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "${9:-0}" >> "$rows"; }

# Compares gallery $2 with the reference $1: prints "identical lost duplicated differing-tables".
compare() {
  local ref=$1 got=$2
  local identical=true differing=()
  while IFS='|' read -r table hash; do
    if ! grep -qx "$table|$hash" <(digest "$got"); then identical=false; differing+=("$table"); fi
  done < <(digest "$ref")
  local lost duplicated
  lost=$(comm -23 <(keys "$ref" | sort -u) <(keys "$got" | sort -u) | wc -l)
  duplicated=$(( $(keys "$got" | wc -l) - $(keys "$got" | sort -u | wc -l) + $(comm -13 <(keys "$ref" | sort -u) <(keys "$got" | sort -u) | wc -l) ))
  echo "$identical $lost $duplicated ${differing[*]:-}"
}

# Runs "$@" in the background, kills it with SIGKILL after $1 seconds (unless it ended first).
run_killed() {
  local after=$1; shift
  "$@" > /dev/null 2>&1 &
  local pid=$!
  sleep "$after"
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; echo killed
  else wait "$pid" 2>/dev/null || true; echo finished; fi
}

# The moment of trial i: a third late (last fifth of the reference's time), the rest anywhere.
moment() {
  local kind=$1 i=$2 total=$3
  if [ $((i % 3)) -eq 2 ]; then draw "$kind" "$i" "$(python3 -c "print($total*0.8)")" "$(python3 -c "print($total*0.98)")"
  else draw "$kind" "$i" 0.5 "$(python3 -c "print($total*0.8)")"; fi
}

echo "fault-trials: seed $seed, footage $footage, work $work"

# ---------------------------------------------------------------- ingest
reference=$work/reference.sqlite
start=$(now)
"$CLI" ingest "$footage" --gallery "$reference" > /dev/null
ingest_seconds=$(elapsed "$start" "$(now)")
echo "ingest reference: $ingest_seconds s, $(keys "$reference" | wc -l) tracklets"
for i in $(seq 1 "$ingest_trials"); do
  g=$work/ingest-$i.sqlite
  at=$(moment ingest "$i" "$ingest_seconds")
  state=$(run_killed "$at" "$CLI" ingest "$footage" --gallery "$g")
  survived=false
  if "$CLI" ingest "$footage" --gallery "$g" > "$work/ingest-$i.log" 2>&1 && [ "$(integrity "$g")" = ok ]; then survived=true; fi
  read -r identical lost duplicated differing <<< "$(compare "$reference" "$g") "
  record ingest "$i" "$survived" "$identical" "$lost" "$duplicated" "$at" "$state ${differing:-}"
  echo "ingest $i: killed at $at s ($state): survived $survived, identical $identical, lost $lost, duplicated $duplicated"
done

# ---------------------------------------------------------------- reindex
bare=$work/bare.sqlite
cp "$reference" "$bare"
sqlite3 "$bare" "DELETE FROM embeddings"
reindexed=$work/reindexed.sqlite
cp "$bare" "$reindexed"
start=$(now)
"$CLI" reindex --gallery "$reindexed" > /dev/null
reindex_seconds=$(elapsed "$start" "$(now)")
echo "reindex reference: $reindex_seconds s"
for i in $(seq 1 "$reindex_trials"); do
  g=$work/reindex-$i.sqlite
  cp "$bare" "$g"
  at=$(moment reindex "$i" "$reindex_seconds")
  state=$(run_killed "$at" "$CLI" reindex --gallery "$g")
  survived=false
  if "$CLI" reindex --gallery "$g" > "$work/reindex-$i.log" 2>&1 && [ "$(integrity "$g")" = ok ]; then survived=true; fi
  read -r identical lost duplicated differing <<< "$(compare "$reindexed" "$g") "
  record reindex "$i" "$survived" "$identical" "$lost" "$duplicated" "$at" "$state ${differing:-}"
  echo "reindex $i: killed at $at s ($state): survived $survived, identical $identical"
done

# ---------------------------------------------------------------- train
if [ "$train_trials" -gt 0 ]; then
  data=$work/train-data
  "$CLI" synth --out "$data" --count 60 --seed 7 > /dev/null 2>&1
  config=$work/tiny.json
  python3 - "$ROOT/models/descry-nafs-s.json" "$config" "$data" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.pop("weightsSha256", None)
c["name"] = "tiny"
c["model"].update({"widths": [8, 16, 32, 64], "embedding": 64, "textWidth": 64, "textFeedForward": 128, "textLayers": 1})
c["model"].pop("trunk", None)
c["training"].update({"data": sys.argv[3], "epochs": 3, "batchSize": 16, "localBatch": 0, "checkpointMinutes": 1})
json.dump(c, open(sys.argv[2], "w"), indent=4)
PY
  train() { "$CLI" train --config "$config" --out "$1" --work "$1/work" --json; }
  start=$(now)
  train "$work/train-ref" > /dev/null 2>&1
  train_seconds=$(elapsed "$start" "$(now)")
  ref_hash=$(DESCRY_MODEL=$work/train-ref/tiny.json "$CLI" info --json --gallery "$work/none.sqlite" | python3 -c "import json,sys; print(json.load(sys.stdin)['model'].get('tensors_sha256',''))")
  echo "train reference: $train_seconds s, tensors $ref_hash"
  for i in $(seq 1 "$train_trials"); do
    dir=$work/train-$i
    at=$(draw train "$i" "$(python3 -c "print($train_seconds*0.5)")" "$(python3 -c "print($train_seconds*0.95)")")
    state=$(run_killed "$at" train "$dir")
    survived=false
    if train "$dir" > "$work/train-$i.log" 2>&1; then survived=true; fi
    hash=$(DESCRY_MODEL=$dir/tiny.json "$CLI" info --json --gallery "$work/none.sqlite" | python3 -c "import json,sys; print(json.load(sys.stdin)['model'].get('tensors_sha256',''))")
    identical=false
    [ -n "$hash" ] && [ "$hash" = "$ref_hash" ] && identical=true
    record train "$i" "$survived" "$identical" 0 0 "$at" "$state tensors ${hash:0:12}"
    echo "train $i: killed at $at s ($state): survived $survived, identical $identical"
  done
fi

# ---------------------------------------------------------------- damaged gallery pages
pages=$(sqlite3 "$reference" "PRAGMA page_count")
page_size=$(sqlite3 "$reference" "PRAGMA page_size")
query="a person walking"
"$CLI" search "$query" --gallery "$reference" --read-only --json --all > "$work/reference-search.json"
for i in $(seq 1 "$page_trials"); do
  g=$work/page-$i.sqlite
  cp "$reference" "$g"
  page=$(python3 -c "import random; print(random.Random('$seed/page/$i').randint(2, $pages))")
  garbage page "$i" "$page_size" | dd of="$g" bs="$page_size" seek=$((page - 1)) conv=notrunc status=none
  before=$(sha256sum "$g" | cut -d' ' -f1)
  set +e
  "$CLI" search "$query" --gallery "$g" --json --all > "$work/page-$i.json" 2> "$work/page-$i.err"
  code=$?
  set -e
  unchanged=$([ "$(sha256sum "$g" | cut -d' ' -f1)" = "$before" ] && echo true || echo false)
  if [ "$code" -ne 0 ] && grep -q damaged "$work/page-$i.err"; then outcome=refused
  elif python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if [r['tracklet_id'] for r in a['results']]==[r['tracklet_id'] for r in b['results']] else 1)" "$work/page-$i.json" "$work/reference-search.json"; then outcome=same-results
  else outcome=silently-wrong; fi
  survived=false
  lost=-1
  rows_lost=
  wrong=
  repaired=$work/page-$i-repaired.sqlite
  if "$CLI" gallery repair "$repaired" --gallery "$g" > "$work/page-$i-repair.log" 2>&1; then
    survived=true
    lost=$(comm -23 <(keys "$reference" | sort -u) <(keys "$repaired" | sort -u) | wc -l)
    # Rows of every table the repaired gallery lacks (detections, crops, embeddings...).
    rows_lost=$(for t in tracklets detections crops attributes embeddings; do
      echo "$t:$(( $(sqlite3 "$reference" "SELECT count(*) FROM $t") - $(sqlite3 "$repaired" "SELECT count(*) FROM $t") ))"
    done | tr '\n' ' ')
    # Rows the repaired gallery kept with other values than the reference's (damaged bytes read
    # as data): what repair must never do.
    wrong=$(sqlite3 "$reference" "ATTACH '$repaired' AS r;
      SELECT (SELECT count(*) FROM embeddings a JOIN r.embeddings b USING (model_id, kind, tracklet_id) WHERE a.vector != b.vector)
        + (SELECT count(*) FROM crops a JOIN r.crops b USING (id) WHERE a.image != b.image OR a.mask IS NOT b.mask OR a.pose IS NOT b.pose)
        + (SELECT count(*) FROM detections a JOIN r.detections b USING (tracklet_id, frame) WHERE a.x != b.x OR a.y != b.y OR a.w != b.w OR a.h != b.h OR a.score != b.score)
        + (SELECT count(*) FROM attributes a JOIN r.attributes b USING (tracklet_id, region, name) WHERE a.value != b.value)")
  elif [ "$outcome" = same-results ]; then
    survived=true # nothing was damaged that SQLite can see: the gallery itself is still good
    lost=0
  fi
  record page "$i" "$survived" - "$lost" 0 "$page" "$outcome unchanged=$unchanged rows lost: ${rows_lost:-none}" "${wrong:-0}"
  echo "page $i (page $page of $pages): $outcome, file unchanged $unchanged, repair: survived $survived, tracklets lost $lost (${rows_lost:-}), rows with wrong values ${wrong:-0}"
done

# ---------------------------------------------------------------- damaged weights
model=$(DESCRY_MODEL= "$CLI" info --json --gallery "$work/none.sqlite" | python3 -c "import json,sys; print(json.load(sys.stdin)['model']['path'])")
name=$(basename "$model" .json)
for i in $(seq 1 "$weight_trials"); do
  dir=$work/weights-$i
  mkdir -p "$dir"
  cp "$(dirname "$model")/$name".* "$dir/"
  size=$(stat -c %s "$dir/$name.pt")
  offset=$(python3 -c "import random; print(random.Random('$seed/weights/$i').randrange(0, $size - 65536))")
  garbage weights "$i" 65536 | dd of="$dir/$name.pt" bs=1 seek="$offset" conv=notrunc status=none
  set +e
  "$CLI" search "$query" --gallery "$reference" --read-only --model "$dir/$name.json" --json > "$work/weights-$i.json" 2> "$work/weights-$i.err"
  set -e
  if grep -q "ranking by attributes only" "$work/weights-$i.err"; then outcome=refused; survived=true
  else outcome=loaded; survived=false; fi
  record weights "$i" "$survived" - 0 0 "$offset" "$outcome"
  echo "weights $i (64 KB at byte $offset of $size): $outcome"
done

# ---------------------------------------------------------------- summary
mkdir -p "$(dirname "$out")"
python3 - "$rows" "$out" "$seed" "$footage" "$ingest_seconds" "$reindex_seconds" "${train_seconds:-0}" <<'PY'
import json, sys, datetime, platform, os
rows, out, seed, footage = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
kinds = {}
for line in open(rows):
    kind, trial, survived, identical, lost, duplicated, at, note, wrong = line.rstrip("\n").split("\t")
    k = kinds.setdefault(kind, {"trials": 0, "survived": 0, "identical_to_reference": 0, "lost": 0, "duplicated": 0, "runs": []})
    k["trials"] += 1
    k["survived"] += survived == "true"
    if identical == "-":
        k["identical_to_reference"] = None  # a damaged file has no reference to be identical to
    else:
        k["identical_to_reference"] += identical == "true"
    k["lost"] += max(int(lost), 0)
    k["duplicated"] += int(duplicated)
    if kind == "page":
        k["rows_kept_with_wrong_values"] = k.get("rows_kept_with_wrong_values", 0) + int(wrong)
    k["runs"].append({"trial": int(trial), "survived": survived == "true", "identical": None if identical == "-" else identical == "true",
                      "lost": int(lost), "duplicated": int(duplicated), "at": float(at), "note": note.strip(),
                      **({"wrong_values": int(wrong)} if kind == "page" else {})})
for kind in ("ingest", "reindex", "train"):
    if kind in kinds:  # a run that ended before its moment came was not killed: it tests nothing
        kinds[kind]["killed"] = sum(r["note"].startswith("killed") for r in kinds[kind]["runs"])
for kind in ("page", "weights"):
    if kind in kinds:
        kinds[kind]["refused"] = sum(r["note"].startswith("refused") for r in kinds[kind]["runs"])
        kinds[kind]["silently_wrong"] = sum(r["note"].startswith("silently-wrong") or r["note"] == "loaded" for r in kinds[kind]["runs"])
result = {
    "what": "scripts/fault-trials.sh: kill -9 at seeded random moments of ingest, reindex and train, then resumed; "
            "one 4 KB gallery page overwritten; 64 KB of model weights overwritten",
    "seed": int(seed), "footage": os.path.basename(footage),
    "reference_seconds": {"ingest": float(sys.argv[5]), "reindex": float(sys.argv[6]), "train": float(sys.argv[7])},
    "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    "date": datetime.date.today().isoformat(),
    "kinds": kinds,
}
json.dump(result, open(out, "w"), indent=2)
for kind, k in kinds.items():
    extra = f", refused {k['refused']}, silently wrong {k['silently_wrong']}" if "refused" in k else ""
    extra += f", rows kept with wrong values {k['rows_kept_with_wrong_values']}" if "rows_kept_with_wrong_values" in k else ""
    extra += f" ({k['killed']} of them killed before they ended)" if "killed" in k else ""
    same = "" if k["identical_to_reference"] is None else f", identical {k['identical_to_reference']}"
    print(f"{kind}: {k['trials']} trials, survived {k['survived']}{same}, lost {k['lost']}, duplicated {k['duplicated']}{extra}")
print(f"written to {out}")
PY
