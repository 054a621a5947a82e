#!/usr/bin/env bash
# Tokenizer throughput: the `tokenizers` library against `smelt tokenize`,
# on ~4 MB of multilingual GSM-symbolic text with Qwen2.5's tokenizer.json
# (151,665 tokens), and the load time of Gemma 3's (262,144 tokens):
#
#   tools/bench-tokenize.sh
#
# Inputs, made if missing (in ${SMELT_CACHE:-$HOME/.cache/smelt}):
#   models/*.gguf and data/   tools/fetch-models.sh qwen2 gemma3
#   tokenizers/{qwen2,gemma3}/  transformers' tokenizer folder of each GGUF
#                              (as in tools/make_tokenize_references.py)
#   bench/tokenize-corpus.jsonl  {"text": ...} lines: question and worked
#                              answer of each GSM-symbolic template, the
#                              languages in turn, until 4,000,000 bytes
# The library (PYTHON, default ~/.cache/smelt/venv/bin/python): `encode` in
# a loop and `encode_batch`, with RAYON_NUM_THREADS=1 and with nproc threads
# (each in its own process: the pool is sized once). TOKENIZERS_PARALLELISM
# is left unset (true by default) there; a last row sets it false, which makes
# encode_batch serial whatever RAYON_NUM_THREADS says. Then
# `Tokenizer.from_file` of Gemma's file.
# Smelt's encode loop alone: tools/bench-tokenize (a small package on the
# Tokenize library), timed the same way as the library's helper.
# Smelt (SMELT, default .build/release/smelt): `smelt tokenize QWEN_FOLDER
# --input CORPUS --json --threads N > /dev/null` for N = 1, 2 and nproc,
# tokens/s from the library's token count; `smelt tokenize GEMMA_FOLDER ""`
# as a proxy for load time. Skipped with a message if the binary lacks the
# command. The library's times are its helper's best of 3 in one process;
# Smelt's are one wall-clock run of the whole command; rounds alternate the
# two (ROUNDS, default 3) and each row keeps its best round. Prints one
# markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
python="${PYTHON:-$HOME/.cache/smelt/venv/bin/python}"
smelt="${SMELT:-.build/release/smelt}"
corpus="$cache/bench/tokenize-corpus.jsonl"
qwen="$cache/tokenizers/qwen2"
gemma="$cache/tokenizers/gemma3"
helper=tools/bench_tokenize.py
cores=$(nproc)

for key in qwen2 gemma3; do
    if [ ! -f "$cache/tokenizers/$key/tokenizer.json" ]; then
        echo "bench-tokenize: writing $cache/tokenizers/$key (transformers, from the GGUF)" >&2
        tools/fetch-models.sh --no-data "$key" >/dev/null
        "$python" "$helper" folder "$key" >/dev/null
    fi
done
if [ ! -s "$corpus" ]; then
    tools/fetch-models.sh qwen2 >/dev/null
    "$python" "$helper" corpus "$corpus"
fi

rows=()
# row WHAT TOOL THREADS SECONDS TOKENS BYTES
row() {
    rows+=("$(awk -v what="$1" -v tool="$2" -v threads="$3" -v s="$4" -v tokens="$5" -v bytes="$6" 'BEGIN {
        if (tokens == "") printf "| %s | %s | %s | %.3f | | |", what, tool, threads, s;
        else printf "| %s | %s | %s | %.3f | %.0f | %.2f |", what, tool, threads, s, tokens / s, bytes / s / 1e6 }')")
}
field() { "$python" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# This machine's speed drifts by half over minutes, so the library and
# Smelt run in alternation: each of ROUNDS rounds (default 3) runs every
# configuration once, and each row keeps its best round.
declare -A best
keep() {  # keep KEY SECONDS
    if [ -z "${best[$1]:-}" ] || awk -v e="$2" -v b="${best[$1]}" 'BEGIN { exit !(e < b) }'; then best[$1]=$2; fi
}
# wall COMMAND...: the wall time of one run in seconds; fails if the run fails
wall() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }'
}
has_smelt=1
if [ ! -x "$smelt" ]; then
    echo "bench-tokenize: skipping Smelt: no binary at $smelt (swift build -c release --product smelt, or set SMELT)" >&2
    has_smelt=0
elif ! "$smelt" tokenize --help >/dev/null 2>&1; then
    echo "bench-tokenize: skipping Smelt: $smelt has no tokenize command" >&2
    has_smelt=0
fi
# Smelt's encode loop alone, as the library's helper times its own.
encoder=/tmp/smelt-bench-tokenize-build/release/bench-tokenize
(cd tools/bench-tokenize && swift build -c release --scratch-path /tmp/smelt-bench-tokenize-build >/dev/null)
thread_counts=$(printf '%s\n' 1 2 "$cores" | sort -nu)
for round in $(seq 1 "${ROUNDS:-3}"); do
    echo "bench-tokenize: round $round" >&2
    result=$(RAYON_NUM_THREADS=1 "$python" "$helper" encode "$qwen/tokenizer.json" "$corpus" loop)
    tokens=$(field "$result" tokens)
    bytes=$(field "$result" bytes)
    texts=$(field "$result" texts)
    keep loop "$(field "$result" seconds)"
    for threads in $thread_counts; do
        result=$(RAYON_NUM_THREADS=$threads "$python" "$helper" encode "$qwen/tokenizer.json" "$corpus" batch)
        [ "$(field "$result" tokens)" = "$tokens" ] || { echo "error: encode_batch gave another token count" >&2; exit 1; }
        keep "batch$threads" "$(field "$result" seconds)"
        result=$("$encoder" "$qwen/tokenizer.json" "$corpus" "$threads")
        [ "$(field "$result" tokens)" = "$tokens" ] || { echo "error: Smelt gave another token count" >&2; exit 1; }
        keep "encoder$threads" "$(field "$result" seconds)"
        if [ "$has_smelt" = 1 ]; then
            keep "smelt$threads" "$(wall "$smelt" tokenize "$qwen" --input "$corpus" --json --threads "$threads")"
        fi
    done
    result=$(TOKENIZERS_PARALLELISM=false "$python" "$helper" encode "$qwen/tokenizer.json" "$corpus" batch)
    keep serial "$(field "$result" seconds)"
    result=$(RAYON_NUM_THREADS=1 "$python" "$helper" load "$gemma/tokenizer.json")
    keep load "$(field "$result" seconds)"
    if [ "$has_smelt" = 1 ]; then keep smeltload "$(wall "$smelt" tokenize "$gemma" "")"; fi
done
row "Qwen2.5 encode" "tokenizers encode (loop)" 1 "${best[loop]}" "$tokens" "$bytes"
for threads in $thread_counts; do
    row "Qwen2.5 encode" "tokenizers encode_batch" "$threads" "${best[batch$threads]}" "$tokens" "$bytes"
    row "Qwen2.5 encode" "Smelt Tokenizer.encode (tools/bench-tokenize)" "$threads" "${best[encoder$threads]}" "$tokens" "$bytes"
done
row "Qwen2.5 encode" "tokenizers encode_batch, TOKENIZERS_PARALLELISM=false" 1 "${best[serial]}" "$tokens" "$bytes"
row "Gemma 3 load (262k vocab)" "Tokenizer.from_file" 1 "${best[load]}" "" ""
if [ "$has_smelt" = 1 ]; then
    for threads in $thread_counts; do
        row "Qwen2.5 encode" "smelt tokenize --json (load, read, encode, write)" "$threads" "${best[smelt$threads]}" "$tokens" "$bytes"
    done
    row "Gemma 3 load (262k vocab)" "smelt tokenize GEMMA \"\" (whole command)" 1 "${best[smeltload]}" "" ""
fi

echo "Corpus: $corpus: $texts texts, $bytes bytes of text, $tokens Qwen2.5 tokens; $cores cores."
echo
echo "| what | tool | threads | best round (s) | tokens/s | MB/s |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
