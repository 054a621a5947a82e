#!/usr/bin/env bash
# Renders per second of a compiled chat template (release build).
#   tools/bench-chat-template.sh [TEMPLATE.jinja [RENDERS]]   (default: the Qwen2.5-Coder fixture, 20000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/tools/bench-chat-template"
swift build -c release --scratch-path /tmp/smelt-bench-chat-template-build >/dev/null
cd "$root"
/tmp/smelt-bench-chat-template-build/release/bench-chat-template "$@"
