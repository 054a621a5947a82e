#!/usr/bin/env bash
# Makes the real merge material: SmolLM2-135M-Instruct as a bf16 Hugging Face
# folder (the base) and two short CPU fine-tunes of it (the experts), all in
# ${SMELT_CACHE:-$HOME/.cache/smelt}/finetunes/. See tools/make_finetunes.py.
#
#     tools/fetch-models.sh smollm2      # the GGUF and the GSM-symbolic data
#     tools/make-finetunes.sh [--force] [--langs en,fr] [--seed 0] ...
#
# Creates a Python venv at ${SMELT_CACHE}/venv if it is missing and installs
# torch, transformers, gguf, safetensors and numpy there, pinned below, with
# accelerate, which transformers needs to load a GGUF.
# torch==2.13.0 resolves to the CPU-only wheel 2.13.0+cpu (~190 MB) where
# pip's find-links offers one (this workplace has /opt/wheels); elsewhere it
# is PyPI's CUDA build (~3 GB with its nvidia-* wheels), which runs on CPU
# too. $PYTHON picks the interpreter that creates the venv (default python3,
# 3.10 or newer). Arguments are passed to make_finetunes.py.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
venv="$cache/venv"
python="${PYTHON:-python3}"

packages=(
    "torch==2.13.0"
    "transformers==5.25.0"
    "gguf==0.19.0"
    "accelerate==1.16.0"
    "safetensors==0.8.0"
    "numpy==2.4.6"
)

if ! "$venv/bin/python" -c 'import torch, transformers, gguf, accelerate, safetensors, numpy' 2>/dev/null; then
    echo "make-finetunes: setting up $venv (${packages[*]})" >&2
    start=$(date +%s)
    mkdir -p "$cache"
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet "${packages[@]}"
    echo "make-finetunes: venv ready in $(( $(date +%s) - start )) s" >&2
fi

exec "$venv/bin/python" "$here/make_finetunes.py" "$@"
