#!/usr/bin/env bash
# Size, error and decode speed of the logit-cache record codec
# (Sources/Distill/Cache/LogitCodec.swift) on real teacher scores:
#
#   tools/bench-logit-codec.sh [DATA_DIR]
#
# Inputs (DATA_DIR, default ${SMELT_CACHE:-$HOME/.cache/smelt}/bench/logits):
#   {qwen2,smollm2}-k{10,50}.jsonl  the output of
#       smelt score MODEL RECORDS --json --top-k K
#   for Qwen2.5 (vocabulary 151,936) and SmolLM2 (49,152) over the same 60
#   GSM-style records (~11,000 tokens); a missing file is skipped. The JSON
#   values are rounded to 8 significant digits, which does not change sizes.
# Tool: tools/bench-logit-codec, a small release package on the Distill
# library, built in /tmp/smelt-bench-logit-codec-build. Per file it encodes
# every record (checking that encoding twice gives the same bytes), decodes
# it back (ids, mask and K exact; max abs error of every value against the
# JSON's), and times decoding all records on one thread, best of ROUNDS
# (default 5). Sizes are bytes per token: the naive layout of FuseLLM
# (K × (fp16 logit + int64 id)), a fixed-width layout after quantisation,
# both LZ4-compressed as one spill block per record (32-byte header
# included, via SpillWriter), and the codec's bytes before and after that.
# For K ≥ 50 it also codes sampled targets (LogitCodec.encodeSampled):
# N = 12 and 50 draws per position from the top K renormalised (SplitMix64,
# seed 1), a stand-in for draws from the full distribution.
# Prints markdown tables per file.
set -euo pipefail
cd "$(dirname "$0")/.."

data="${1:-${SMELT_CACHE:-$HOME/.cache/smelt}/bench/logits}"
tool=/tmp/smelt-bench-logit-codec-build/release/bench-logit-codec
(cd tools/bench-logit-codec && swift build -c release --scratch-path /tmp/smelt-bench-logit-codec-build >/dev/null)

echo "$(nproc) cores; one decoding thread."
for model in qwen2 smollm2; do
    case "$model" in
        qwen2) vocabulary=151936 ;;
        smollm2) vocabulary=49152 ;;
    esac
    for k in 10 50; do
        file="$data/$model-k$k.jsonl"
        if [ ! -s "$file" ]; then
            echo "bench-logit-codec: skipping $file (missing)" >&2
            continue
        fi
        echo
        "$tool" "$file" "$vocabulary" "${ROUNDS:-5}"
    done
done
