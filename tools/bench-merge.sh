#!/usr/bin/env bash
# Benchmark of `smelt merge` against the I/O floor on three generated
# Llama-3.2-1B-shaped BF16 checkpoints (base, a, b; 2.47 GB each, written
# by tools/bench-merge), warm page cache. Prints a markdown table per merge
# method: best wall time of RUNS runs, ratio to the floor, peak RSS (largest
# of the runs), and pass/fail against the targets.
#
#   tools/bench-merge.sh [RUNS=1] [DIR=/tmp/smelt-bench-merge] [-- SMELT_MERGE_ARGS...]
#   tools/bench-merge.sh --realistic [DIR=/tmp/smelt-bench-merge-realistic] [-- SMELT_MERGE_ARGS...]
#   tools/bench-merge.sh --real TRIO_DIR [-- SMELT_MERGE_ARGS...]
#
# --realistic generates the same shapes with task vectors like a real
# fine-tune's (exact zeros, heavy tails, a low-rank part; see the
# generator's header) and --real takes a trio of real models (base/, a/,
# b/, e.g. links to the fine-tunes of tools/make-finetunes.sh); both then
# run tools/bench-memory.sh on it: every method, peak RSS beside the
# --dry-run estimate and the budget, and time against the I/O floor
# (BUDGETS="256M" by default for --realistic, "64M 256M" for --real).
#
# The floor is the time to read the three inputs (`cat` to /dev/null, warm
# cache) plus the time to write and fsync one output's worth of zeros
# (`dd ... conv=fsync`), each the best of max(RUNS, 3) runs. Each method
# runs `smelt merge RECIPE OUT --memory-budget 256M --quiet` plus the extra
# arguments, after removing OUT, under `/usr/bin/time -v`; the output of the
# last run is checked with `smelt verify` and then removed. Targets: peak
# RSS < 320 MiB for every method; linear <= 1.25x the floor; ties <= 2x.
#
# If mergekit-yaml is found ($MERGEKIT_YAML, else on PATH) it runs the same
# recipes on CPU as extra rows (it does not fsync its output; smelt does).
# With SMELT=/path/to/smelt that binary is used and nothing is built at the
# repository root.
#
# Needs /usr/bin/time (Debian package `time`), ~7.5 GB of disk in DIR for
# the inputs plus 2.5 GB for one output at a time, and ~10 GB of free
# memory for the page cache to hold inputs and output. Exit 0 when every
# method ran and met its targets, 1 when one failed or missed a target, 2
# when this smelt has no `merge` command.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--realistic" ] || [ "${1:-}" = "--real" ]; then
  mode=$1; shift
  trio=${1:-}
  [ "$mode" = --realistic ] && trio=${trio:-/tmp/smelt-bench-merge-realistic}
  [ -n "$trio" ] && [ "$trio" != "--" ] || { echo "usage: tools/bench-merge.sh --real TRIO_DIR [-- SMELT_MERGE_ARGS...]" >&2; exit 64; }
  shift || true
  [ "${1:-}" = "--" ] && shift
  if [ "$mode" = --realistic ]; then
    echo "building the generator (tools/bench-merge)..." >&2
    swift build -c release --package-path tools/bench-merge --scratch-path /tmp/bench-merge-build >&2
    /tmp/bench-merge-build/release/bench-merge "$trio" --realistic >&2
    BUDGETS=${BUDGETS:-256M} exec tools/bench-memory.sh "$trio" -- "$@"
  fi
  exec tools/bench-memory.sh "$trio" -- "$@"
fi

positional=()
extra=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
  positional+=("$1"); shift
done
runs=${positional[0]:-1}
dir=${positional[1]:-/tmp/smelt-bench-merge}
[ "${#positional[@]}" -le 2 ] || { echo "usage: tools/bench-merge.sh [RUNS=1] [DIR=/tmp/smelt-bench-merge] [-- SMELT_MERGE_ARGS...]" >&2; exit 64; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "error: RUNS must be a positive integer, not '$runs'" >&2; exit 64; }
[ -x /usr/bin/time ] || { echo "error: needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }

methods=(linear ties slerp model_stock sce)
model_bytes=2471655056                  # one generated model.safetensors (the generator's layout)
out_mib=$(((model_bytes + (1 << 20) - 1) >> 20))
floor_runs=$((runs > 3 ? runs : 3))

# Free disk first: the inputs that are not there yet, one output at a time
# (outputs are removed after each method), and 512 MiB of slack.
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
need=$((model_bytes + (512 << 20)))
missing_inputs=0
for model in base a b; do
  size=$(stat -c %s "$dir/$model/model.safetensors" 2>/dev/null || echo 0)
  if [ "$size" != "$model_bytes" ]; then need=$((need + model_bytes)); missing_inputs=$((missing_inputs + 1)); fi
done
avail=$(df -B1 --output=avail "$dir" | tail -n 1 | tr -d ' ')
if [ "$avail" -lt "$need" ]; then
  awk -v d="$dir" -v a="$avail" -v n="$need" -v m="$missing_inputs" 'BEGIN {
    printf "error: %s has %.1f GB free; this benchmark needs %.1f GB there (%d input model(s) of 2.47 GB to generate, 2.47 GB for one output at a time, 0.5 GB slack)\n", d, a / 1e9, n / 1e9, m }' >&2
  exit 1
fi
if [ "$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)" -lt $((10 << 20)) ]; then
  echo "warning: less than 10 GiB of memory available; inputs and output will not stay in the page cache, so times include disk reads" >&2
fi

build_log=$dir/build.log
if [ -n "${SMELT:-}" ]; then
  smelt=$SMELT           # a prebuilt binary: no build at the root
  [ -x "$smelt" ] || { echo "error: SMELT=$smelt is not an executable" >&2; exit 1; }
else
  echo "building smelt (swift build -c release)..." >&2
  if ! swift build -c release > "$build_log" 2>&1; then
    echo "error: swift build -c release failed at the repository root; last lines of $build_log:" >&2
    tail -n 20 "$build_log" >&2
    exit 1
  fi
  smelt=$PWD/.build/release/smelt
fi
echo "building the generator (tools/bench-merge)..." >&2
if ! swift build -c release --package-path tools/bench-merge --scratch-path /tmp/bench-merge-build > "$build_log" 2>&1; then
  echo "error: building tools/bench-merge failed; last lines of $build_log:" >&2
  tail -n 20 "$build_log" >&2
  exit 1
fi
generator=/tmp/bench-merge-build/release/bench-merge

version=$("$smelt" --version 2>/dev/null | head -n 1) || version=""
[ -n "$version" ] || version="smelt $(git describe --always --dirty 2>/dev/null || echo unknown) (this build has no --version)"
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
echo "machine: $(nproc) cores ($cpu), $mem RAM, $(df -h --output=avail "$dir" | tail -n 1 | tr -d ' ') free in $dir"
echo "smelt: $version"
echo "extra smelt arguments: ${extra[*]:-(none)}; best of $runs run(s), warm page cache"

"$generator" "$dir" >&2
inputs=("$dir/base/model.safetensors" "$dir/a/model.safetensors" "$dir/b/model.safetensors")

# Recipes, mergekit 0.1.5 syntax, models by absolute path.
rm -rf "$dir/logs"; mkdir -p "$dir/recipes" "$dir/logs"
cat > "$dir/recipes/linear.yml" <<EOF
merge_method: linear
models:
  - model: $dir/a
    parameters:
      weight: 0.5
  - model: $dir/b
    parameters:
      weight: 0.5
dtype: bfloat16
EOF
cat > "$dir/recipes/ties.yml" <<EOF
merge_method: ties
base_model: $dir/base
models:
  - model: $dir/a
    parameters:
      density: 0.5
      weight: 0.5
  - model: $dir/b
    parameters:
      density: 0.5
      weight: 0.5
dtype: bfloat16
EOF
cat > "$dir/recipes/slerp.yml" <<EOF
merge_method: slerp
base_model: $dir/base
models:
  - model: $dir/base
  - model: $dir/a
parameters:
  t: 0.5
dtype: bfloat16
EOF
cat > "$dir/recipes/model_stock.yml" <<EOF
merge_method: model_stock
base_model: $dir/base
models:
  - model: $dir/a
  - model: $dir/b
dtype: bfloat16
EOF
cat > "$dir/recipes/sce.yml" <<EOF
merge_method: sce
base_model: $dir/base
models:
  - model: $dir/a
  - model: $dir/b
parameters:
  select_topk: 0.5
dtype: bfloat16
EOF

seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }'; }
smaller() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

cat "${inputs[@]}" > /dev/null; cat "${inputs[@]}" > /dev/null   # warm the page cache

# The floor: read the three inputs, write and fsync one output.
cat_s=""; dd_s=""
for ((r = 0; r < floor_runs; r++)); do
  start=$EPOCHREALTIME
  cat "${inputs[@]}" > /dev/null
  s=$(seconds_since "$start")
  if [ -z "$cat_s" ] || smaller "$s" "$cat_s"; then cat_s=$s; fi
  rm -f "$dir/floor.bin"; sync
  start=$EPOCHREALTIME
  dd if=/dev/zero of="$dir/floor.bin" bs=1M count="$out_mib" conv=fsync status=none
  s=$(seconds_since "$start")
  if [ -z "$dd_s" ] || smaller "$s" "$dd_s"; then dd_s=$s; fi
done
rm -f "$dir/floor.bin"
floor_s=$(awk -v a="$cat_s" -v b="$dd_s" 'BEGIN { printf "%.4f", a + b }')
awk -v c="$cat_s" -v d="$dd_s" -v f="$floor_s" -v m="$out_mib" -v n="$model_bytes" 'BEGIN {
  printf "I/O floor: cat of the 3 inputs %.3f s (%.2f GB/s) + dd of %d MiB with fsync %.3f s (%.2f GB/s) = %.3f s (best of each)\n",
    c, 3 * n / c / 1e9, m, d, m * 1048576 / d / 1e9, f }'

# run_timed LOG COMMAND...: runs COMMAND under /usr/bin/time -v, its output
# in LOG; sets run_s (wall seconds), run_kib (peak RSS) and run_rc.
run_timed() {
  local log=$1; shift
  local start
  sync
  start=$EPOCHREALTIME
  /usr/bin/time -v -o "$log.time" "$@" > "$log" 2>&1 && run_rc=0 || run_rc=$?
  run_s=$(seconds_since "$start")
  run_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log.time")
  run_kib=${run_kib:-0}
}

# measure NAME LOGPREFIX OUT COMMAND...: best wall time and largest RSS of
# $runs runs, OUT removed before each; sets best_s, max_kib, error ("" when
# every run succeeded).
measure() {
  local name=$1 prefix=$2 out=$3; shift 3
  best_s=""; max_kib=0; error=""
  for ((r = 1; r <= runs; r++)); do
    rm -rf "$out" "$(dirname "$out")/.$(basename "$out").smelt-partial"*
    run_timed "$prefix-$r.log" "$@"
    if [ "$run_rc" -ne 0 ]; then
      local line
      line=$(grep -m 1 -i 'error' "$prefix-$r.log" || grep -m 1 -v '^[[:space:]]*$' "$prefix-$r.log" || true)
      error="exit $run_rc: ${line:0:120} (log: $prefix-$r.log)"
      echo "$name failed, $error" >&2
      return
    fi
    if [ -z "$best_s" ] || smaller "$run_s" "$best_s"; then best_s=$run_s; fi
    if [ "$run_kib" -gt "$max_kib" ]; then max_kib=$run_kib; fi
  done
}

rows=()        # finished table rows, the floor first
status=0
row() { # name seconds kib targets result; an empty seconds or kib prints as -
  rows+=("$(awk -v n="$1" -v s="$2" -v k="$3" -v f="$floor_s" -v t="$4" -v res="$5" 'BEGIN {
    seconds = s == "" ? "-" : sprintf("%.3f", s); ratio = s == "" ? "-" : sprintf("%.2fx", s / f)
    rss = k == "" ? "-" : sprintf("%.1f", k / 1024)
    printf "| %-22s | %8s | %8s | %8s | %-30s | %s |", n, seconds, ratio, rss, t, res }')")
}

row "I/O floor" "$floor_s" "" "cat inputs + dd output" ""

# Is there a merge command at all? (An unknown command exits 64.)
merge_probe=$("$smelt" merge --help 2>&1) && merge_rc=0 || merge_rc=$?
targets_of() { # method: its targets, and the time limit in floors (or none) in $limit
  case $1 in
    linear) limit=1.25 ;;
    ties) limit=2 ;;
    *) limit="" ;;
  esac
  targets="RSS < 320 MiB${limit:+, <= ${limit}x floor}"
}
if [ "$merge_rc" -ne 0 ]; then
  echo "smelt merge is not available in this build (smelt merge --help exits $merge_rc: $(echo "$merge_probe" | head -n 1)); smelt rows skipped" >&2
  for method in "${methods[@]}"; do
    targets_of "$method"
    row "smelt $method" "" "" "$targets" "not run: no smelt merge (exit $merge_rc)"
  done
  status=2
else
  for method in "${methods[@]}"; do
    out=$dir/out-$method
    echo "smelt merge $method..." >&2
    measure "smelt $method" "$dir/logs/smelt-$method" "$out" \
      "$smelt" merge "$dir/recipes/$method.yml" "$out" --memory-budget 256M --quiet "${extra[@]}"
    targets_of "$method"
    if [ -n "$error" ]; then
      row "smelt $method" "" "" "$targets" "FAIL: $error"
      status=1
      continue
    fi
    problems=()
    [ "$max_kib" -lt $((320 * 1024)) ] || problems+=("RSS $((max_kib / 1024)) MiB")
    if [ -n "$limit" ] && ! awk -v s="$best_s" -v f="$floor_s" -v l="$limit" 'BEGIN { exit !(s <= l * f) }'; then
      problems+=("$(awk -v s="$best_s" -v f="$floor_s" 'BEGIN { printf "%.2fx", s / f }') of floor")
    fi
    if ! "$smelt" verify "$out" > "$dir/logs/smelt-$method-verify.log" 2>&1; then
      problems+=("smelt verify failed (log: $dir/logs/smelt-$method-verify.log)")
    fi
    if [ "${#problems[@]}" -eq 0 ]; then result="pass"; else result="FAIL: ${problems[*]}"; status=1; fi
    row "smelt $method" "$best_s" "$max_kib" "$targets" "$result"
    rm -rf "$out"
  done
fi

mergekit=${MERGEKIT_YAML:-$(command -v mergekit-yaml || true)}
if [ -n "$mergekit" ]; then
  # CPU only; every flag this mergekit knows that keeps it lean and quiet.
  mergekit_help=$("$mergekit" --help 2>&1 || true)
  flags=()
  for flag in --no-cuda --lazy-unpickle --no-copy-tokenizer --no-write-model-card --quiet; do
    if grep -q -- "${flag#--no-}" <<< "$mergekit_help"; then flags+=("$flag"); fi
  done
  for method in "${methods[@]}"; do
    out=$dir/out-mergekit-$method
    echo "mergekit-yaml $method..." >&2
    CUDA_VISIBLE_DEVICES="" measure "mergekit $method" "$dir/logs/mergekit-$method" "$out" \
      "$mergekit" "$dir/recipes/$method.yml" "$out" "${flags[@]}"
    if [ -n "$error" ]; then row "mergekit $method" "" "" "(reference)" "error: $error"
    else row "mergekit $method" "$best_s" "$max_kib" "(reference)" "ok"; fi
    rm -rf "$out"
  done
fi

echo
echo "| method                 |  seconds | of floor |  RSS MiB | targets                        | result |"
echo "|------------------------|----------|----------|----------|--------------------------------|--------|"
printf '%s\n' "${rows[@]}"
[ "$status" -ne 2 ] || echo "smelt merge does not exist in this build yet: smelt rows were not run." >&2
exit "$status"
