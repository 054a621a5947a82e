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
