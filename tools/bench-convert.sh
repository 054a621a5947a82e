#!/usr/bin/env bash
# Throughput of Float32 <-> BF16/F16/F32/F64 conversion, one thread.
#   tools/bench-convert.sh
set -euo pipefail
cd "$(dirname "$0")/bench-convert"
swift build -c release --scratch-path /tmp/smelt-bench-convert-build >/dev/null
/tmp/smelt-bench-convert-build/release/bench-convert
