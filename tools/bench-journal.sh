#!/usr/bin/env bash
# What the journal costs a merge (issue 4: at most 3% of the run time), and
# what a resume saves. A/B on the Llama-3.2-1B-shaped BF16 trio that
# tools/bench-merge.sh generates (run that first), warm page cache:
#
#   tools/bench-journal.sh [RUNS=5] [DIR=/tmp/smelt-bench-merge]
#
# "without journal" is the working tree built with -DSMELT_NO_JOURNAL,
# which compiles out the per-chunk digest and the journal records (into
# /tmp/smelt-no-journal-build; or BASELINE=/path/to/smelt); "with journal"
# is the working tree as shipped (swift build -c release). The two
# binaries run alternately (ABBA), RUNS times each, for linear and ties with
# `--memory-budget 256M --quiet`; the table gives best and median wall
# times and the overhead of each. Then one run is stopped with SIGINT at
# about half its time and re-run: the resumed run's time and what it kept.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
dir=${2:-/tmp/smelt-bench-merge}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "error: RUNS must be a positive integer, not '$runs'" >&2; exit 64; }
for f in "$dir/base/model.safetensors" "$dir/a/model.safetensors" "$dir/b/model.safetensors" "$dir/recipes/linear.yml" "$dir/recipes/ties.yml"; do
  [ -f "$f" ] || { echo "error: $f is missing; run tools/bench-merge.sh first (it generates the inputs and recipes)" >&2; exit 1; }
done

if [ -z "${BASELINE:-}" ]; then
  echo "building the working tree without the journal (-DSMELT_NO_JOURNAL)..." >&2
  swift build -c release --scratch-path /tmp/smelt-no-journal-build -Xswiftc -DSMELT_NO_JOURNAL > /dev/null
  BASELINE=/tmp/smelt-no-journal-build/release/smelt
fi
echo "building the working tree (swift build -c release)..." >&2
swift build -c release > /dev/null
current=$PWD/.build/release/smelt

seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }'; }
out=$dir/journal-bench-out
clean() { rm -rf "$out" "$dir/.$(basename "$out").smelt-partial"*; }
timed() {   # timed BINARY RECIPE: prints wall seconds of one merge from scratch
  clean; sync
  local start=$EPOCHREALTIME
  "$1" merge "$2" "$out" --memory-budget 256M --quiet > /dev/null
  seconds_since "$start"
}
stats() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f\n", v[1], m }'; }

cat "$dir"/{base,a,b}/model.safetensors > /dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; $runs alternating runs each"
echo
echo "| method | without journal, best / median | with journal, best / median | overhead, best / median |"
echo "|---|---|---|---|"
for method in linear ties; do
  recipe=$dir/recipes/$method.yml
  without=(); with=()
  timed "$current" "$recipe" > /dev/null   # warm-up
  # ABBA order: whichever binary runs second in a pair pays for the first
  # one's output still being written back, so neither may always go first.
  for ((r = 0; r < runs; r++)); do
    if ((r % 2 == 0)); then
      without+=("$(timed "$BASELINE" "$recipe")")
      with+=("$(timed "$current" "$recipe")")
    else
      with+=("$(timed "$current" "$recipe")")
      without+=("$(timed "$BASELINE" "$recipe")")
    fi
  done
  read -r wb wm < <(printf '%s\n' "${without[@]}" | stats)
  read -r jb jm < <(printf '%s\n' "${with[@]}" | stats)
  awk -v m="$method" -v wb="$wb" -v wm="$wm" -v jb="$jb" -v jm="$jm" 'BEGIN {
    printf "| %s | %.2f s / %.2f s | %.2f s / %.2f s | %+.1f%% / %+.1f%% |\n", m, wb, wm, jb, jm, 100 * (jb / wb - 1), 100 * (jm / wm - 1) }'
done
clean

# A resume: stop a ties run with SIGINT at about half its time, then re-run.
recipe=$dir/recipes/ties.yml
full=$(timed "$current" "$recipe")
clean; sync
"$current" merge "$recipe" "$out" --memory-budget 256M --quiet > /dev/null 2> "$dir/journal-bench-stop.log" &
pid=$!
sleep "$(awk -v f="$full" 'BEGIN { printf "%.2f", f / 2 }')"
kill -INT "$pid" 2> /dev/null || true
status=0; wait "$pid" || status=$?
start=$EPOCHREALTIME
summary=$("$current" merge "$recipe" "$out" --memory-budget 256M --json | awk -F': ' '/"kept_bytes"/ { gsub(",", "", $2); print $2 }')
resumed=$(seconds_since "$start")
echo
awk -v f="$full" -v s="$status" -v r="$resumed" -v k="${summary:-0}" 'BEGIN {
  printf "ties stopped by SIGINT at %.2f s (exit %d); the re-run kept %.2f GB and took %.2f s, against %.2f s for a whole run\n", f / 2, s, k / 1e9, r, f }'
"$current" verify "$out" > /dev/null && echo "the resumed output passes smelt verify"
clean
