#!/usr/bin/env bash
# One-off check (not part of the test suite) that checkpoints published by
# Smelt's CheckpointWriter load in Hugging Face transformers, both as a single
# model.safetensors and sharded (model-0000i-of-0000N.safetensors plus
# model.safetensors.index.json).
#
# It builds tools/roundtrip (scratch path under /tmp, so it never contends
# with the root package's .build lock), copies fixtures through the writer
# with chunks written out of order, and runs tools/check_transformers_load.py
# on each result.
#
# Needs a Python with torch, transformers, safetensors and xxhash, given by
# $PYTHON (default /tmp/pyref/bin/python). $SCRATCH overrides the build
# folder (default /tmp/roundtrip-build); $KEEP=1 keeps the written outputs.
#
#     tools/check-transformers.sh
set -u -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-/tmp/pyref/bin/python}"
scratch="${SCRATCH:-/tmp/roundtrip-build}"
models="$root/Fixtures/models"

if ! "$python" -c 'import torch, transformers, safetensors, xxhash' 2>/dev/null; then
    echo "error: $python cannot import torch, transformers, safetensors and xxhash; set PYTHON" >&2
    exit 69 # EX_UNAVAILABLE
fi

echo "== building tools/roundtrip (scratch $scratch)"
if ! (cd "$here/roundtrip" && swift build -c release --scratch-path "$scratch"); then
    echo "error: building tools/roundtrip failed" >&2
    exit 70 # EX_SOFTWARE
fi
roundtrip="$scratch/release/smelt-roundtrip"

work="$(mktemp -d /tmp/smelt-check-transformers.XXXXXX)"
if [ "${KEEP:-0}" = 1 ]; then echo "outputs kept in $work"; else trap 'rm -rf "$work"' EXIT; fi

# name, input fixture, shard size limit in bytes, expected layout
cases=(
    "llama-f32-a       llama-f32-a   5000000000 single"
    "llama-f32-sharded llama-f32-a   40000      sharded"
    "llama-bf16-a      llama-bf16-a  5000000000 single"
    "llama-tied-a      llama-tied-a  5000000000 single"
)

summary=()
failed=0
for case in "${cases[@]}"; do
    read -r name input shard_bytes expect <<<"$case"
    echo
    echo "== $name: $input through the writer, shard limit $shard_bytes bytes"
    if "$roundtrip" "$models/$input" "$work/$name" "$shard_bytes" \
        && "$python" "$here/check_transformers_load.py" "$models/$input" "$work/$name" --expect "$expect"; then
        summary+=("PASS  $name ($expect)")
    else
        summary+=("FAIL  $name ($expect)")
        failed=$((failed + 1))
    fi
done

echo
echo "== summary"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -gt 0 ]; then
    echo "$failed of ${#cases[@]} cases failed"
    exit 1
fi
echo "all ${#cases[@]} cases passed"
