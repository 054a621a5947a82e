#!/usr/bin/env bash
# The real `smelt evolve` experiment of issue 17, on SmolLM2-135M-Instruct:
#
#   tools/evolve-experiment.sh [RUN...]     # runs: a b c d (default: a)
#
# Material (made if missing, in ${SMELT_CACHE:-$HOME/.cache/smelt}):
#   finetunes/smollm2-{base,eng,fra}   tools/make-finetunes.sh: the bf16 base and
#                                      two 40-step CPU fine-tunes on the English
#                                      and French GSM-symbolic templates
#   evolve-experiment/                 tools/evolve_experiment.py records deu: the
#                                      German templates as chat records (loss on
#                                      the answer): fit-30 (templates 0-29),
#                                      fit-50 (0-49), test (50-99); neither expert
#                                      saw German
# Then, with SMELT (default .build/release/smelt), THREADS (default 2):
#   1. base, eng and fra scored on every split (`smelt score --json`, mean NLL);
#   2. a grid of 9 uniform TIES merges (ratio eng:fra 0.25/0.5/0.75 with
#      normalize, density 0.3/0.6/1.0 for all layers), merged and scored;
#   3. the searches, `smelt evolve` of a ties genome over eng and fra with the
#      base, under /usr/bin/time -v (peak RSS):
#        a: fitness fit-30, layer_granularity 10 (3 groups, 12 genes), 44 evals
#        b: fitness fit-50, layer_granularity 10, 44 evals
#        c: fitness fit-30, layer_granularity 30 (1 group, 4 genes), 44 evals
#        d: fitness fit-30, layer_granularity 10, 22 evals (half the budget):
#           not run again but taken from a's history (the best of its first
#           22 evaluations; the same seed asks the same candidates), merged
#           with the recipe tools/evolve_experiment.py prefix writes
#      each evolved model scored on test; `smelt score` of the base on the
#      fitness split timed beside the mean seconds per evaluation.
# Prints markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
smelt="$(realpath "${SMELT:-.build/release/smelt}")"
threads="${THREADS:-2}"
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(a)
tunes="$cache/finetunes"
work="$cache/evolve-experiment"
python="${PYTHON:-$cache/venv/bin/python}"
[ -x "$python" ] || python=python3

[ -d "$tunes/smollm2-eng" ] && [ -d "$tunes/smollm2-fra" ] || tools/make-finetunes.sh --langs eng,fra
mkdir -p "$work"
[ -f "$work/test.jsonl" ] || "$python" tools/evolve_experiment.py records deu "$work"

# mean_nll of `smelt score MODEL DATA`
nll() { "$smelt" score "$1" "$2" --json --threads "$threads" | tail -1 | "$python" -c 'import json,sys; print("%.4f" % json.load(sys.stdin)["summary"]["mean_nll"])'; }

echo "| model | fit-30 | fit-50 | test |"
echo "|---|---|---|---|"
for name in base eng fra; do
    echo "| $name | $(nll "$tunes/smollm2-$name" "$work/fit-30.jsonl") | $(nll "$tunes/smollm2-$name" "$work/fit-50.jsonl") | $(nll "$tunes/smollm2-$name" "$work/test.jsonl") |"
done

mkdir -p "$work/grid"
"$python" tools/evolve_experiment.py grid "$tunes/smollm2-base" "$tunes/smollm2-eng" "$tunes/smollm2-fra" "$work/grid"
echo
echo "| uniform TIES (eng ratio, density) | fit-30 | fit-50 | test |"
echo "|---|---|---|---|"
for recipe in "$work"/grid/grid-*.yml; do
    name=$(basename "$recipe" .yml)
    out="$work/grid/$name"
    [ -d "$out" ] || "$smelt" merge "$recipe" "$out" --quiet --threads "$threads" > /dev/null
    echo "| $name | $(nll "$out" "$work/fit-30.jsonl") | $(nll "$out" "$work/fit-50.jsonl") | $(nll "$out" "$work/test.jsonl") |"
done

declare -A fit=([a]=fit-30 [b]=fit-50 [c]=fit-30 [d]=fit-30)
# Run d is a's first 22 evaluations, so it reads a's output.
declare -A groups=([a]=10 [b]=10 [c]=30 [d]=10)
declare -A evals=([a]=44 [b]=44 [c]=44 [d]=22)
echo
echo "| search | fitness data | layer groups | evaluations | best fitness | test NLL | s/evaluation | smelt score alone (s) | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|---|---|---|"
for run in "${runs[@]}"; do
    [ -n "${fit[$run]:-}" ] || { echo "error: unknown run $run (a b c d)" >&2; exit 2; }
    if [ "$run" = d ]; then
        [ -f "$work/evolved-a/evolve-history.csv" ] || { echo "error: run d needs run a first" >&2; exit 2; }
        best=$("$python" tools/evolve_experiment.py prefix "$work/evolved-a/evolve-history.csv" 22 \
            "$tunes/smollm2-base" "$tunes/smollm2-eng" "$tunes/smollm2-fra" "$work/recipe-d.yml")
        rm -rf "$work/evolved-d"
        "$smelt" merge "$work/recipe-d.yml" "$work/evolved-d" --quiet --threads "$threads" > /dev/null
        echo "| d (a's first 22) | fit-30 | 3 | 22 | $(printf %.4f "$best") | $(nll "$work/evolved-d" "$work/test.jsonl") | | | |"
        continue
    fi
    search="$work/search-$run.yml"
    "$python" tools/evolve_experiment.py search "$search" "${fit[$run]}.jsonl" "${groups[$run]}" \
        "$tunes/smollm2-eng" "$tunes/smollm2-fra" -- "$tunes/smollm2-base"
    out="$work/evolved-$run"
    rm -rf "$out"
    /usr/bin/time -v -o "$work/time-$run.txt" "$smelt" evolve "$search" "$out" --max-evals "${evals[$run]}" \
        --threads "$threads" --json --restart > "$work/result-$run.json"
    rss=$(awk '/Maximum resident/ {printf "%d", $6 / 1024}' "$work/time-$run.txt")
    start=$(date +%s.%N)
    "$smelt" score "$tunes/smollm2-base" "$work/${fit[$run]}.jsonl" --json --threads "$threads" > /dev/null
    alone=$(echo "$(date +%s.%N) - $start" | bc)
    read -r best per < <("$python" -c '
import csv, json, sys
result = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
print("%.4f %.1f" % (result["best"]["fitness"], sum(float(r["seconds"]) for r in rows) / len(rows)))' \
        "$work/result-$run.json" "$out/evolve-history.csv")
    groups_count=$((30 / ${groups[$run]}))
    echo "| $run | ${fit[$run]} | $groups_count | $(grep -c . "$out/evolve-history.csv" | awk '{print $1 - 1}') | $best | $(nll "$out/model" "$work/test.jsonl") | $per | $(printf %.1f "$alone") | $rss |"
done
