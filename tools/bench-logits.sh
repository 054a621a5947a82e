#!/usr/bin/env bash
# The logit cache's size and speed: `smelt logits` against `smelt score`
# on the same records, for each real model and K:
#
#   tools/bench-logits.sh [KEY...]        # smollm2 qwen2 (default: both)
#
# Inputs (in ${SMELT_CACHE:-$HOME/.cache/smelt}): hf/<key>/, the bf16 folder
# of each GGUF (made by tools/bench-score.sh); RECORDS (default
# bench/logits-records.jsonl, the GSM-symbolic text records that
# tools/slurm-logits.sh's run used, else bench/score-records.jsonl).
# LIMIT (default 300) keeps the first LIMIT records; QWEN_LIMIT (default
# 200) those for Qwen2.5-0.5B, a model four times slower.
# For each model and K in KS (default "10 50"), then --sample SAMPLES
# (default 12; row "sN", its score run at K = 10), ROUNDS rounds (default 2),
# alternating: `smelt score MODEL DATA --json --top-k K > /dev/null` and
# `smelt logits MODEL DATA CACHE --top-k K`, both the whole process, THREADS
# threads (default 2), the default budget; then once `smelt logits` at
# --memory-budget 256M under /usr/bin/time -f %M (peak RSS). Each row keeps
# its best round. Bytes per token count every file of the cache (manifest,
# index, records, run history). FuseLLM keeps top-K fp16 logits and int64
# ids in Arrow columns (10 bytes per entry: 100 per token at K = 10, plus
# the gold token's); DistillKit's figures (114-300 bytes per token) are its
# authors'. Prints one markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
smelt="${SMELT:-.build/release/smelt}"
threads="${THREADS:-2}"
records="${RECORDS:-$cache/bench/logits-records.jsonl}"
[ -s "$records" ] || records="$cache/bench/score-records.jsonl"
keys=("$@")
[ ${#keys[@]} -gt 0 ] || keys=(smollm2 qwen2)
declare -A label=([smollm2]="SmolLM2-135M" [qwen2]="Qwen2.5-0.5B" [gemma3]="Gemma 3 270M")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
declare -A best
keep() { if [ -z "${best[$1]:-}" ] || awk -v e="$2" -v b="${best[$1]}" 'BEGIN { exit !(e < b) }'; then best[$1]=$2; fi; }

rows=()
for key in "${keys[@]}"; do
    model="$cache/hf/$key"
    [ -f "$model/config.json" ] || { echo "bench-logits: $model missing: run tools/bench-score.sh $key" >&2; exit 1; }
    limit=${LIMIT:-300}
    [ "$key" = qwen2 ] && limit=${QWEN_LIMIT:-200}
    data="$work/$key.jsonl"
    head -n "$limit" "$records" > "$data"
    for k in ${KS:-10 50} "s${SAMPLES:-12}"; do
        # "sN": --sample N against score at K = 10.
        options=(--top-k "$k"); score_k=$k
        if [ "${k#s}" != "$k" ]; then options=(--sample "${k#s}"); score_k=10; fi
        for round in $(seq 1 "${ROUNDS:-2}"); do
            echo "bench-logits: $key K=$k round $round" >&2
            start=$(now)
            "$smelt" score "$model" "$data" --json --top-k "$score_k" --threads "$threads" > /dev/null
            keep "score-$key-$k" "$(since "$start")"
            rm -rf "$work/cache"
            start=$(now)
            summary=$("$smelt" logits "$model" "$data" "$work/cache" "${options[@]}" --threads "$threads" --json --quiet)
            keep "logits-$key-$k" "$(since "$start")"
        done
        rm -rf "$work/cache"
        rss=$( { /usr/bin/time -f %M "$smelt" logits "$model" "$data" "$work/cache" "${options[@]}" --threads "$threads" \
            --memory-budget 256M --quiet > /dev/null; } 2>&1 | tail -n 1)
        tokens=$(echo "$summary" | sed 's/.*"tokens": *\([0-9]*\).*/\1/')
        bytes=$(du -b -c "$work/cache"/* | tail -n 1 | cut -f 1)
        fuse=$((10 * score_k)); [ "$k" = "$score_k" ] || fuse="-"
        rows+=("$(awk -v l="${label[$key]}" -v k="$k" -v f="$fuse" -v n="$limit" -v t="$tokens" -v b="$bytes" \
            -v s="${best[score-$key-$k]}" -v g="${best[logits-$key-$k]}" -v r="$rss" 'BEGIN {
            printf "| %s | %s | %d records, %d tokens | %.1f | %s | %.0f | %.0f | %.2f | %.0f |", l, k, n, t, b / t,
                f, t / s, t / g, s / g, r / 1024 }')")
    done
done

echo "Records: $records (first LIMIT); $threads threads; $(nproc) cores; ${ROUNDS:-2} rounds, best kept."
echo
echo "| model | K | data | cache bytes/token (all files) | FuseLLM layout bytes/token | smelt score tokens/s | smelt logits tokens/s | logits / score speed | logits peak RSS at 256M (MiB) |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
