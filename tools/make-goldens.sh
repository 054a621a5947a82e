#!/usr/bin/env bash
# Regenerate Fixtures/recipes/ and Fixtures/goldens/ with mergekit 0.1.5.
#
# Needs a Python (3.11 was used) with mergekit 0.1.5 installed; it is not
# part of Smelt's build or tests, only of refreshing the goldens. Setup:
#
#   python3.11 -m venv /tmp/pyref
#   # optional, avoids a multi-GB CUDA download (everything runs on CPU):
#   /tmp/pyref/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu
#   /tmp/pyref/bin/pip install mergekit==0.1.5
#
# (mergekit 0.1.5 pulls in torch, transformers 5.x, safetensors, pydantic,
# PyYAML, ...; the committed goldens record the exact versions in
# Fixtures/goldens/README.md.) Then, from anywhere:
#
#   tools/make-goldens.sh            # or PYTHON=/path/to/python tools/make-goldens.sh
#
# The script deletes and rewrites Fixtures/recipes/ and Fixtures/goldens/,
# runs every recipe on CPU (about 3 minutes on 2 cores) and is
# deterministic: two runs give byte-identical files.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-/tmp/pyref/bin/python}"
if ! "$PYTHON" -c 'import importlib.metadata as m, sys; sys.exit(m.version("mergekit") != "0.1.5")' 2>/dev/null; then
    echo "make-goldens: $PYTHON has no mergekit 0.1.5; see the setup notes at the top of $0" >&2
    exit 1
fi
exec "$PYTHON" tools/make_goldens.py "$@"
