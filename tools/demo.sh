#!/usr/bin/env bash
# The main job on the bundled fixtures: installs what is missing, builds
# release, then inspects, hashes and verifies the fixture checkpoints.
# (Merging lands with `smelt merge`; this will then run a real merge.)
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
swift build -c release 2>&1 | tail -n 1
smelt=.build/release/smelt

echo
echo "\$ smelt inspect Fixtures/models/llama-sharded"
"$smelt" inspect Fixtures/models/llama-sharded
echo
echo "\$ smelt hash Fixtures/models/llama-tied-a | head -n 4"
"$smelt" hash Fixtures/models/llama-tied-a | head -n 4
for model in Fixtures/models/*/; do
  "$smelt" verify "${model%/}"
done

# A damaged copy: the last shard cut short by 1000 bytes must be caught (exit 1).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r Fixtures/models/llama-sharded "$scratch/damaged"
truncate -s -1000 "$scratch/damaged/model-00003-of-00003.safetensors"
echo
echo "\$ smelt verify damaged   # last shard truncated by 1000 bytes"
status=0
"$smelt" verify "$scratch/damaged" || status=$?
echo "exit status $status"
[ "$status" -eq 1 ]
