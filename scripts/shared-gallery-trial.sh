#!/usr/bin/env bash
# A team's shared gallery on PostgreSQL, tried as a team would use it (issue 15, item 3):
#   shared-gallery-trial.sh BUILD_DIR [--workers N] [--sources M] [--out FILE]
# A throwaway PostgreSQL server (scripts/pg-test-server.sh) holds two galleries. M rendered clips
# are ingested into "reference" by one worker, then into "shared" by N workers started at once on
# the same folder, as N machines would be. Worker 1 is killed (SIGKILL) part-way through its first
# source. The others must take its claim over when its heartbeat is older than the claim timeout
# (the workers are named like machines, so "its process is gone" is never what tells) and finish
# that source from its last checkpoint. Then every source must be done, each tracklet stored once,
# and every source's tracklets, detections, crops and attributes equal to the reference's.
# Two annotators then review at once; every decision must be kept with its author.
# Writes the figures as JSON to FILE (default: docs/bench/shared-gallery.json beside this script).
# Exit 0: all held; 1: something did not; 77: no PostgreSQL here (ctest: skipped).
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [--workers N] [--sources M] [--out FILE]}
shift
here=$(cd "$(dirname "$0")" && pwd)
workers=3
sources=6
out="$here/../docs/bench/shared-gallery.json"
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers=$2; shift 2 ;;
    --sources) sources=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "shared-gallery-trial: unknown option $1" >&2; exit 2 ;;
  esac
done
cli="$build/bin/descry-cli"
[ -x "$cli" ] || { echo "shared-gallery-trial: $cli is missing; build Descry first" >&2; exit 1; }
command -v psql >/dev/null 2>&1 || { echo "shared-gallery-trial: psql is missing (apt-get install postgresql-client)" >&2; exit 77; }

work=$(mktemp -d /tmp/descry-shared-XXXXXX)
server="$work/server"
cleanup() {
  "$here/pg-test-server.sh" stop "$server" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

set +e
url=$("$here/pg-test-server.sh" start "$server" | tail -n 1)
status=$?
set -e
[ $status -eq 0 ] || exit $status
base=${url%/*}
psql_at() { psql -X -q -At -v ON_ERROR_STOP=1 "$base/$1" -c "$2"; }
psql_at descry_test "CREATE DATABASE reference" >/dev/null
psql_at descry_test "CREATE DATABASE shared" >/dev/null

# The footage: M rendered clips of walkers, 300 frames (10 s) each.
mkdir -p "$work/footage"
for i in $(seq 1 "$sources"); do
  "$cli" render --seed "$((100 + i))" --frames 300 --people 6 --out "$work/render$i" >/dev/null 2>&1
  mv "$work/render$i/scene.avi" "$work/footage/camera$i.avi"
  rm -rf "$work/render$i"
done

# Background detector, no model, no pose: the trial is about claims, not about vision, and this
# keeps it to seconds. Frequent checkpoints, so a kill leaves work behind to take over.
common=(--detector background --no-model --pose off --checkpoint-every 10 --claim-timeout 5)
start_ref=$(date +%s.%N)
"$cli" ingest "$work/footage" --gallery "$base/reference" "${common[@]}" --worker reference >"$work/reference.log" 2>&1
ref_seconds=$(awk -v a="$start_ref" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

start=$(date +%s.%N)
pids=()
for w in $(seq 1 "$workers"); do
  extra=()
  [ "$w" -eq 1 ] && extra=(--kill-after 40)
  "$cli" ingest "$work/footage" --gallery "$base/shared" "${common[@]}" --worker "machine$w" "${extra[@]}" \
    >"$work/worker$w.log" 2>&1 &
  pids+=($!)
  sleep 0.3 # the machines do not start in the same instant
done
codes=()
for p in "${pids[@]}"; do
  set +e
  wait "$p"
  codes+=($?)
  set -e
done
wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# Two annotators review the same tracklets at once: alternating verdicts, 25 each.
tracklets=$(psql_at shared "SELECT id FROM tracklets ORDER BY id LIMIT 25")
for who in alice bob; do
  (
    for t in $tracklets; do
      verdict=confirmed
      [ "$who" = bob ] && verdict=rejected
      "$cli" review add "$t" --gallery "$base/shared" --query "a walker" --verdict "$verdict" \
        --author "$who" >/dev/null 2>&1 || echo "review of $t by $who failed" >>"$work/review-errors"
    done
  ) &
done
wait

# What each gallery holds, per source (keyed by content, not by row ids).
digest() {
  psql_at "$1" "SELECT s.content_hash, s.status,
      (SELECT count(*) FROM tracklets t WHERE t.source_id = s.id),
      (SELECT md5(coalesce(string_agg(t.local_id || ',' || t.start_frame || ',' || t.end_frame || ',' || t.detection_count, ';' ORDER BY t.local_id), '')) FROM tracklets t WHERE t.source_id = s.id),
      (SELECT md5(coalesce(string_agg(t.local_id || ',' || d.frame || ',' || d.x || ',' || d.y || ',' || d.w || ',' || d.h || ',' || d.score, ';' ORDER BY t.local_id, d.frame), '')) FROM detections d JOIN tracklets t ON t.id = d.tracklet_id WHERE t.source_id = s.id),
      (SELECT md5(coalesce(string_agg(t.local_id || ',' || c.rank || ',' || c.frame || ',' || md5(c.image), ';' ORDER BY t.local_id, c.rank), '')) FROM crops c JOIN tracklets t ON t.id = c.tracklet_id WHERE t.source_id = s.id),
      (SELECT md5(coalesce(string_agg(t.local_id || ',' || a.region || ',' || a.name || ',' || a.value, ';' ORDER BY t.local_id, a.region, a.name), '')) FROM attributes a JOIN tracklets t ON t.id = a.tracklet_id WHERE t.source_id = s.id)
    FROM sources s ORDER BY s.content_hash"
}
digest reference >"$work/reference.digest"
digest shared >"$work/shared.digest"
identical=0
while IFS= read -r line; do
  grep -qxF "$line" "$work/shared.digest" && identical=$((identical + 1))
done <"$work/reference.digest"
done_sources=$(psql_at shared "SELECT count(*) FROM sources WHERE status = 'done'")
all_sources=$(psql_at shared "SELECT count(*) FROM sources")
duplicated=$(psql_at shared "SELECT count(*) FROM (SELECT source_id, local_id FROM tracklets GROUP BY 1, 2 HAVING count(*) > 1) d")
claims_left=$(psql_at shared "SELECT count(*) FROM sources WHERE claimed_by IS NOT NULL")
ref_tracklets=$(psql_at reference "SELECT count(*) FROM tracklets")
shared_tracklets=$(psql_at shared "SELECT count(*) FROM tracklets")
reviews=$(psql_at shared "SELECT count(*) FROM reviews")
review_authors=$(psql_at shared "SELECT string_agg(author || ':' || n, ',' ORDER BY author) FROM (SELECT author, count(*) n FROM reviews GROUP BY author) a")
expected_reviews=$((2 * $(echo "$tracklets" | wc -w)))

# Who ingested what, from the workers' own reports.
takeovers=$(cat "$work"/worker*.log | grep -c "taken over from machine1" || true)
per_worker=""
for w in $(seq 1 "$workers"); do
  n=$(grep -cE "^(ingested|resumed): " "$work/worker$w.log" || true)
  per_worker="$per_worker${per_worker:+, }\"machine$w\": $n"
done
killed_code=${codes[0]}

ok=true
[ "$identical" -eq "$sources" ] || ok=false
[ "$done_sources" -eq "$sources" ] && [ "$all_sources" -eq "$sources" ] || ok=false
[ "$duplicated" -eq 0 ] && [ "$claims_left" -eq 0 ] || ok=false
[ "$takeovers" -ge 1 ] || ok=false
[ "$killed_code" -eq 137 ] || ok=false
[ "$reviews" -eq "$expected_reviews" ] && [ ! -e "$work/review-errors" ] || ok=false
for i in $(seq 1 $((workers - 1))); do [ "${codes[$i]}" -eq 0 ] || ok=false; done

mkdir -p "$(dirname "$out")"
cat >"$out" <<JSON
{
  "what": "N ingest workers share one PostgreSQL gallery (scripts/shared-gallery-trial.sh); worker 1 is killed with SIGKILL after 40 analysed frames of its first source",
  "footage": "$sources rendered clips, 300 frames each (synthetic walkers; the trial measures claims, not vision)",
  "server": "PostgreSQL $(psql_at descry_test "SHOW server_version"), local, fsync off",
  "workers": $workers,
  "sources": $sources,
  "claim_timeout_seconds": 5,
  "worker_exit_codes": [$(IFS=,; echo "${codes[*]}")],
  "sources_done": $done_sources,
  "sources_identical_to_one_worker_reference": $identical,
  "tracklets": $shared_tracklets,
  "reference_tracklets": $ref_tracklets,
  "duplicated_tracklets": $duplicated,
  "claims_left_held": $claims_left,
  "takeovers_of_killed_worker": $takeovers,
  "sources_finished_per_worker": { $per_worker },
  "reviews_at_once": { "expected": $expected_reviews, "stored": $reviews, "by_author": "$review_authors" },
  "wall_seconds_shared": $wall,
  "wall_seconds_one_worker_reference": $ref_seconds,
  "passed": $ok
}
JSON
cat "$out"
if ! $ok; then
  for w in $(seq 1 "$workers"); do echo "--- worker $w"; tail -n 15 "$work/worker$w.log"; done
  diff "$work/reference.digest" "$work/shared.digest" || true
  [ -e "$work/review-errors" ] && cat "$work/review-errors"
  exit 1
fi
