#!/usr/bin/env bash
# Training speed: `smelt distill` against PyTorch's CPU training of the same
# student, same records, steps of whole records up to BATCH_TOKENS (default
# 1024) tokens, Float32, supervised, AdamW; full fine-tuning and LoRA (rank
# 8, alpha 16, q/k/v/o and MLP), each at THREADS threads (default "1 2"):
#
#   tools/bench-distill.sh
#
# Inputs (in ${SMELT_CACHE:-$HOME/.cache/smelt}): hf/smollm2 (the bf16
# SmolLM2-135M-Instruct folder tools/bench-score.sh makes) and
# bench/fuse/chat.jsonl (tools/bench-fuse.sh); the first RECORDS (default
# 40) records. smelt runs STEPS + 1 steps (default 3 + 1) with
# --memory-budget BUDGET (default 8G: every state in memory) and reports the
# mean of train-log.csv's tokens_per_second over all but the first step;
# tools/bench_distill.py runs one warm-up step and times STEPS more, with
# torch.set_num_threads(T). The trainers alternate, ROUNDS rounds (default
# 2), and the best round of each is kept (the machine is shared and noisy).
# Prints one markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
smelt="${SMELT:-.build/release/smelt}"
python="${PYTHON:-$cache/venv/bin/python}"
student="$cache/hf/smollm2"
steps="${STEPS:-3}"
batch="${BATCH_TOKENS:-1024}"
budget="${BUDGET:-8G}"
rounds="${ROUNDS:-2}"
[ -d "$student" ] || { echo "bench-distill: $student missing: run tools/bench-score.sh first" >&2; exit 66; }
[ -x "$smelt" ] || swift build -c release --product smelt >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n "${RECORDS:-40}" "$cache/bench/fuse/chat.jsonl" > "$work/data.jsonl"
torch_version=$("$python" -c 'import torch; print(torch.__version__)')
declare -A best rss
keep() { # keep KEY RATE RSS_KB: the best rate of KEY and its run's peak RSS
    if [ -z "${best[$1]:-}" ] || [ "$2" -gt "${best[$1]}" ]; then best[$1]=$2; rss[$1]=$(( $3 / 1024 )); fi
}
for round in $(seq "$rounds"); do
    for mode in full lora; do
        options=(); rank=()
        [ "$mode" = lora ] && options=(--lora-rank 8 --lora-alpha 16) && rank=(8)
        for threads in ${THREADS:-1 2}; do
            rm -rf "$work/out"
            /usr/bin/time -f "%M" -o "$work/rss" "$smelt" distill "$student" "$work/data.jsonl" "$work/out" \
                --steps $((steps + 1)) --batch-tokens "$batch" --threads "$threads" --memory-budget "$budget" \
                --quiet "${options[@]}" > /dev/null
            rate=$(awk -F, 'NR > 2 { sum += $7; n++ } END { printf "%.0f", sum / n }' "$work/out/train-log.csv")
            keep "smelt $mode $threads" "$rate" "$(cat "$work/rss")"
            /usr/bin/time -f "%M" -o "$work/rss" "$python" tools/bench_distill.py "$student" "$work/data.jsonl" \
                "$steps" "$batch" "$threads" "${rank[@]}" 2> /dev/null > "$work/torch.json"
            rate=$(python3 -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["tokens_per_second"]))' \
                "$work/torch.json")
            keep "torch $mode $threads" "$rate" "$(cat "$work/rss")"
        done
    done
done
echo "| training | threads | smelt distill tokens/s | PyTorch $torch_version tokens/s | smelt / PyTorch | smelt RSS MiB | PyTorch RSS MiB |"
echo "|---|---|---|---|---|---|---|"
for mode in full lora; do
    for threads in ${THREADS:-1 2}; do
        s=${best["smelt $mode $threads"]}; t=${best["torch $mode $threads"]}
        echo "| $mode | $threads | $s | $t | $(awk -v a="$s" -v b="$t" 'BEGIN { printf "%.2f", a / b }') |" \
            "${rss["smelt $mode $threads"]} | ${rss["torch $mode $threads"]} |"
    done
done
echo
echo "SmolLM2-135M-Instruct, Float32, $batch tokens per step, $(wc -l < "$work/data.jsonl") chat records, best of $rounds rounds."
