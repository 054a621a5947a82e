#!/usr/bin/env bash
# Single-threaded MB/s (UTF-8 input) of the split regexes: Smelt's TokenPattern (release build) beside
# tokenizers' Split pre-tokenizer (Oniguruma), on the same JSON-lines corpus.
#   tools/bench-regex.sh [CORPUS.jsonl]   (default: ~/.cache/smelt/bench/tokenize-corpus.jsonl)
set -euo pipefail
corpus=${1:-${SMELT_CACHE:-$HOME/.cache/smelt}/bench/tokenize-corpus.jsonl}
venv=${SMELT_CACHE:-$HOME/.cache/smelt}/venv
here=$(cd "$(dirname "$0")" && pwd)
patterns=(
    "gpt2='s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
    "qwen2=(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"\
'|\s*[\r\n]+|\s+(?!\S)|\s+'
    "llama3=(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"\
'|\s*[\r\n]+'"|\s+(?!\S)|\s+"
    "whitespace=\w+|[^\w\s]+"
)
(cd "$here/bench-regex" && swift build -c release --scratch-path /tmp/smelt-bench-regex-build >/dev/null)
smelt=$(/tmp/smelt-bench-regex-build/release/bench-regex "$corpus" "${patterns[@]}")
reference=$("$venv/bin/python" "$here/bench_regex_tokenizers.py" "$corpus" "${patterns[@]}")
echo "corpus: $corpus ($(wc -c <"$corpus") bytes of JSON lines), single thread"
printf '%-12s %12s %16s %10s %12s %18s\n' pattern "Smelt MB/s" "tokenizers MB/s" speedup matches "tokenizers pieces"
paste <(echo "$smelt") <(echo "$reference") | while IFS=$'\t' read -r name ours count _ theirs pieces; do
    printf '%-12s %12s %16s %9.1fx %12s %18s\n' "$name" "$ours" "$theirs" "$(echo "$ours / $theirs" | bc -l)" "$count" \
        "$pieces"
done
