#!/usr/bin/env bash
# Training speed: `smelt distill` against PyTorch's CPU training of the same
# student (full fine-tuning, Float32, supervised, AdamW), same records,
# steps of whole records up to BATCH_TOKENS (default 1024) tokens:
#
#   tools/bench-distill.sh
#
# Inputs (in ${SMELT_CACHE:-$HOME/.cache/smelt}): hf/smollm2 (the bf16
# SmolLM2-135M-Instruct folder tools/bench-score.sh makes) and
# bench/fuse/chat.jsonl (tools/bench-fuse.sh); the first RECORDS (default
# 40) records. smelt runs STEPS + 1 steps (default 3 + 1) and reports the
# mean of train-log.csv's tokens_per_second over all but the first step;
# tools/bench_distill.py runs one warm-up step and times STEPS more, with
# torch.set_num_threads(T) for T in THREADS (default "1 2"). smelt's
# backward pass runs on one core whatever --threads says (for now).
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
smelt="${SMELT:-.build/release/smelt}"
python="${PYTHON:-$cache/venv/bin/python}"
student="$cache/hf/smollm2"
steps="${STEPS:-3}"
batch="${BATCH_TOKENS:-1024}"
[ -d "$student" ] || { echo "bench-distill: $student missing: run tools/bench-score.sh first" >&2; exit 66; }
[ -x "$smelt" ] || swift build -c release --product smelt >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n "${RECORDS:-40}" "$cache/bench/fuse/chat.jsonl" > "$work/data.jsonl"
echo "| trainer | threads | training tokens/s | peak RSS MiB |"
echo "|---|---|---|---|"
/usr/bin/time -f "%M" -o "$work/rss" "$smelt" distill "$student" "$work/data.jsonl" "$work/out" \
    --steps $((steps + 1)) --batch-tokens "$batch" --quiet > /dev/null
rate=$(awk -F, 'NR > 2 { sum += $7; n++ } END { printf "%.0f", sum / n }' "$work/out/train-log.csv")
echo "| smelt distill | 1 | $rate | $(( $(cat "$work/rss") / 1024 )) |"
for threads in ${THREADS:-1 2}; do
    /usr/bin/time -f "%M" -o "$work/rss" "$python" tools/bench_distill.py "$student" "$work/data.jsonl" "$steps" \
        "$batch" "$threads" 2> /dev/null > "$work/torch.json"
    rate=$(python3 -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["tokens_per_second"]))' "$work/torch.json")
    echo "| PyTorch $("$python" -c 'import torch; print(torch.__version__)') | $threads | $rate | $(( $(cat "$work/rss") / 1024 )) |"
done
echo
echo "SmolLM2-135M-Instruct, full fine-tuning, Float32, $batch tokens per step, $(wc -l < "$work/data.jsonl") chat records."
