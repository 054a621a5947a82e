#!/usr/bin/env bash
# Training memory: `smelt distill` of SmolLM2-135M-Instruct under small
# budgets, peak RSS by /usr/bin/time -v:
#
#   tools/bench-distill-memory.sh
#
# 1. LoRA (rank 8, alpha 16) on records of 512 tokens (one record a step:
#    --batch-tokens 512) at --memory-budget 512M: the issue's bound is
#    512 MiB + 64 MiB of peak RSS.
# 2. Full fine-tuning on the same records with the optimizer's state in
#    memory (--memory-budget 8G) and out of core (--memory-budget 1G, below
#    the 2.2 GB of Float32 weights, two AdamW moments and the gradient: the
#    state goes to files in the staging folder), tokens/s and RSS of each.
# Inputs (in ${SMELT_CACHE:-$HOME/.cache/smelt}): hf/smollm2 (tools/bench-score.sh)
# and bench/fuse/chat.jsonl (tools/bench-fuse.sh). The records are the chat
# records' text laid end to end and cut every 512 SmolLM2 tokens (with the
# venv's `tokenizers`), as text records (re-encoded, a record may come out a
# token or two off 512: the table says how many a step took). STEPS steps each (default 4; the
# tokens/s is the mean over all but the first). Prints one markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
smelt="${SMELT:-.build/release/smelt}"
python="${PYTHON:-$cache/venv/bin/python}"
student="$cache/hf/smollm2"
steps="${STEPS:-4}"
threads="${THREADS:-2}"
[ -d "$student" ] || { echo "bench-distill-memory: $student missing: run tools/bench-score.sh first" >&2; exit 66; }
[ -x "$smelt" ] || swift build -c release --product smelt >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" - "$student/tokenizer.json" "$cache/bench/fuse/chat.jsonl" "$steps" > "$work/data.jsonl" <<'PY'
import json, sys
from tokenizers import Tokenizer
tokenizer = Tokenizer.from_file(sys.argv[1])
text = " ".join(m["content"] for line in open(sys.argv[2]) for m in json.loads(line)["messages"])
ids = tokenizer.encode(text, add_special_tokens=False).ids
for index in range(int(sys.argv[3])):
    piece = tokenizer.decode(ids[index * 512:(index + 1) * 512])
    print(json.dumps({"id": f"long-{index}", "text": piece}))
PY
echo "| run | --memory-budget | optimizer state | tokens per step | training tokens/s | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
run() { # run NAME BUDGET STATE OPTION...
    local name=$1 budget=$2 state=$3
    shift 3
    rm -rf "$work/out"
    /usr/bin/time -v -o "$work/time" "$smelt" distill "$student" "$work/data.jsonl" "$work/out" --steps "$steps" \
        --batch-tokens 512 --threads "$threads" --memory-budget "$budget" --json --quiet "$@" > "$work/summary.json"
    local tokens rate rss
    tokens=$(python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(round(s["tokens"] / s["steps"]))' \
        "$work/summary.json")
    rate=$(awk -F, 'NR > 2 { sum += $7; n++ } END { printf "%.0f", sum / n }' "$work/out/train-log.csv")
    rss=$(awk -F: '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$work/time")
    echo "| $name | $budget | $state | $tokens | $rate | $rss |"
}
run "LoRA r8" 512M memory --lora-rank 8 --lora-alpha 16
run "full" 8G memory --optimizer-state memory
run "full" 1G disk
echo
echo "SmolLM2-135M-Instruct, $threads threads, $steps steps of one 512-token record."
