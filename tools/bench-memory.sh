#!/usr/bin/env bash
# Peak memory of every merge method against its --dry-run estimate and the
# budget, and time against the I/O floor, on a trio of models:
#
#   tools/bench-memory.sh [TRIO_DIR] [-- SMELT_MERGE_ARGS...]
#
# TRIO_DIR holds base/, a/ and b/ (Hugging Face folders of one
# architecture). Without it, the realistic synthetic trio is used,
# written first if missing by tools/make_realistic_trio.py (SmolLM2-135M's
# shapes, BF16, fine-tune-like task vectors) into
# ${SMELT_CACHE:-$HOME/.cache/smelt}/realistic-trio. For the real
# fine-tunes of tools/make-finetunes.sh pass a folder whose base, a and b
# are links to smollm2-base and two experts.
#
# For each method and each budget (64M and 256M, or BUDGETS="..."): the estimate is the
# `estimated_peak_rss_bytes` of `smelt merge --dry-run --json`; the peak is
# /usr/bin/time's maximum resident set size of the real run (warm cache,
# output removed first). The floor is `cat` of the three inputs plus `dd`
# of one output's size with fsync (best of three). Prints a markdown table;
# exits 1 if a peak exceeds budget + 64 MiB or is not within 25% of its
# estimate (0.75x to 1.25x).
# With SMELT=/path/to/smelt that binary is used, else a release build.
set -euo pipefail
cd "$(dirname "$0")/.."

trio=""
extra=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
  trio=$1; shift
done
[ -x /usr/bin/time ] || { echo "error: needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
if [ -z "$trio" ]; then
  trio=${SMELT_CACHE:-$HOME/.cache/smelt}/realistic-trio
  if [ ! -f "$trio/b/model.safetensors" ]; then
    echo "writing the realistic synthetic trio into $trio..." >&2
    python3 tools/make_realistic_trio.py "$trio" >&2
  fi
fi
for model in base a b; do
  [ -d "$trio/$model" ] || { echo "error: $trio/$model is missing" >&2; exit 1; }
done
trio=$(cd "$trio" && pwd -P)
if [ -z "${SMELT:-}" ]; then
  swift build -c release --product smelt >&2
  SMELT=$(swift build -c release --show-bin-path)/smelt
fi

work=$(mktemp -d /tmp/smelt-bench-memory.XXXXXX)
trap 'rm -rf "$work"' EXIT
recipe() { # method parameters-per-model global-parameters
  {
    echo "merge_method: $1"
    [ "$1" = linear ] || echo "base_model: $trio/base"
    echo "models:"
    for model in a b; do
      echo "  - model: $trio/$model"
      [ -n "$2" ] && echo "    parameters: {$2}"
    done
    [ -n "$3" ] && echo "parameters: {$3}"
    echo "dtype: bfloat16"
  } > "$work/$1.yml"
}
recipe linear "weight: 0.5" ""
recipe task_arithmetic "weight: 0.5" ""
recipe ties "weight: 0.5, density: 0.5" ""
recipe dare_ties "weight: 0.5, density: 0.5" ""
recipe breadcrumbs_ties "weight: 0.5, density: 0.5, gamma: 0.01" ""
recipe della "weight: 0.5, density: 0.5, epsilon: 0.1" ""
recipe sce "" ""
recipe model_stock "" ""
printf 'merge_method: slerp\nbase_model: %s/base\nmodels:\n  - model: %s/base\n  - model: %s/a\nparameters: {t: 0.5}\ndtype: bfloat16\n' \
  "$trio" "$trio" "$trio" > "$work/slerp.yml"
methods=(linear task_arithmetic ties dare_ties breadcrumbs_ties della sce model_stock slerp)

input_bytes=$(cat "$trio"/{base,a,b}/*.safetensors | wc -c)
output_bytes=$(stat -L -c %s "$trio/base/model.safetensors")
best() { sort -n | head -1; }
read_floor=$(for _ in 1 2 3; do /usr/bin/time -f %e cat "$trio"/{base,a,b}/*.safetensors 2>&1 >/dev/null; done | best)
write_floor=$(for _ in 1 2 3; do
  /usr/bin/time -f %e dd if=/dev/zero of="$work/floor" bs=1M count=$(( (output_bytes >> 20) + 1 )) conv=fsync 2>&1 >/dev/null | tail -1
  rm -f "$work/floor"; done | best)
floor=$(echo "$read_floor + $write_floor" | bc -l)

mib() { echo "scale=1; $1 / 1048576" | bc -l; }
echo "trio: $trio ($(mib "$input_bytes") MiB of inputs), smelt: $SMELT, extra: ${extra[*]:-(none)}"
echo "I/O floor: cat ${read_floor} s + dd with fsync ${write_floor} s = ${floor} s"
echo
echo "| method | budget | estimate MiB | peak RSS MiB | peak / estimate | wall s | of floor | result |"
echo "|---|---|---|---|---|---|---|---|"
failed=0
for method in "${methods[@]}"; do
  for budget in ${BUDGETS:-64M 256M}; do
    budget_bytes=$(( ${budget%M} << 20 ))
    rm -rf "$work/out"
    estimate=$("$SMELT" merge "$work/$method.yml" "$work/out" --memory-budget "$budget" --dry-run --json "${extra[@]}" \
      | python3 -c 'import json, sys; print(json.load(sys.stdin)["estimated_peak_rss_bytes"])')
    rm -rf "$work/out"
    /usr/bin/time -f "%e %M" -o "$work/time" "$SMELT" merge "$work/$method.yml" "$work/out" \
      --memory-budget "$budget" --quiet "${extra[@]}" > /dev/null
    read -r wall peak_kib < "$work/time"
    peak=$(( peak_kib * 1024 ))
    ratio=$(echo "scale=2; $peak / $estimate" | bc -l)
    of_floor=$(echo "scale=2; $wall / $floor" | bc -l)
    result=pass
    if [ "$peak" -gt $(( budget_bytes + (64 << 20) )) ]; then result="FAIL: over budget + 64 MiB"; failed=1
    elif [ "$(echo "$ratio > 1.25" | bc -l)" = 1 ]; then result="FAIL: over 1.25x the estimate"; failed=1
    elif [ "$(echo "$ratio < 0.75" | bc -l)" = 1 ]; then result="FAIL: under 0.75x the estimate"; failed=1; fi
    echo "| $method | $budget | $(mib "$estimate") | $(mib "$peak") | ${ratio}x | $wall | ${of_floor}x | $result |"
  done
done
exit $failed
