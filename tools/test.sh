#!/usr/bin/env bash
# The whole test suite: installs what is missing, then builds and runs
# every test (Swift Testing and XCTest) of the package.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
swift build --build-tests 2>&1 | grep -E "warning:|error:" && { echo "build has warnings or errors" >&2; exit 1; } || true
swift test 2>&1
