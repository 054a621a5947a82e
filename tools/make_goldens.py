#!/usr/bin/env python3
"""Regenerate Smelt's mergekit 0.1.5 golden outputs.

Writes, under the repository root (found from this file's location, so the
working directory does not matter):

  Fixtures/recipes/<name>.yml     mergekit recipes (literal YAML below)
  Fixtures/goldens/<name>/        mergekit's output safetensors + config.json
  Fixtures/goldens/index.json     machine-readable list of the goldens
  Fixtures/goldens/README.md      versions, command, recipe table, BF16 stats

Each recipe is run with `python -m mergekit.scripts.run_yaml` (the
`mergekit-yaml` entry point) on CPU, from the repository root, so the model
paths in the recipes are relative to the repository root, as Smelt's tests
expect. Every run gets `--random-seed 42 -j 1` and PYTHONHASHSEED=0, which
makes the random methods (dare_*, della*) and everything else byte-for-byte
reproducible: two runs of this script give identical files.

Usage: tools/make-goldens.sh (or: <python with mergekit==0.1.5> tools/make_goldens.py)
"""

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Fixtures"
RECIPES = FIXTURES / "recipes"
GOLDENS = FIXTURES / "goldens"

SEED = 42
# The flags every run gets. --no-copy-tokenizer: the fixtures have no
# tokenizer, and mergekit would otherwise try (and fail, logging an error) to
# load one with AutoTokenizer. -j 1: one CPU thread, so reductions are done
# in the same order on any machine.
COMMON_ARGS = ["--random-seed", str(SEED), "--device", "cpu", "-j", "1",
               "--no-copy-tokenizer"]

F32 = "Fixtures/models/llama-f32"
BF16 = "Fixtures/models/llama-bf16"


# name -> (method, what it tests, yaml, extra CLI args)
R = {}


def recipe(name, method, tests, text, extra=()):
    assert name not in R, name
    R[name] = (method, tests, text.lstrip("\n"), list(extra))


# ---------------------------------------------------------------- F32 family

recipe("linear", "linear", "weighted mean, weights not summing to 1 (normalize default true)", """
merge_method: linear
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 1.0
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.5
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.25
""")

recipe("linear-nonorm", "linear", "normalize: false (plain weighted sum)", """
merge_method: linear
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.7
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.6
parameters:
  normalize: false
""")

recipe("linear-gradient", "linear", "per-model weight gradients [1, 0] and [0.25, 1] across layers; embeddings, norm and lm_head take the first value", """
merge_method: linear
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: [1, 0]
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: [0.25, 1]
""")

recipe("linear-sharded-input", "linear", "a 3-shard input model (llama-sharded = the tensors of f32-a)", """
merge_method: linear
models:
  - model: Fixtures/models/llama-sharded
    parameters:
      weight: 0.6
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.4
""")

recipe("linear-sharded-output", "linear", "mergekit output sharding: run with --out-shard-size 40000 (bytes), giving model-0000N-of-0000M.safetensors + index", """
merge_method: linear
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.6
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.4
""", extra=["--out-shard-size", "40000"])

recipe("linear-slices", "linear", "slices with layer_range: 3 output layers, mixed sources per slice, embeddings from first slice, norm/lm_head from last", """
merge_method: linear
slices:
  - sources:
      - model: Fixtures/models/llama-f32-a
        layer_range: [0, 2]
        parameters:
          weight: 0.75
      - model: Fixtures/models/llama-f32-b
        layer_range: [0, 2]
        parameters:
          weight: 0.25
  - sources:
      - model: Fixtures/models/llama-f32-b
        layer_range: [1, 2]
        parameters:
          weight: 0.5
      - model: Fixtures/models/llama-f32-c
        layer_range: [1, 2]
        parameters:
          weight: 0.5
""")

recipe("linear-out-bf16", "linear", "F32 inputs, out_dtype: bfloat16 (F32 arithmetic, one rounding when stored); config dtype bfloat16", """
merge_method: linear
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.5
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.3
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.2
out_dtype: bfloat16
""")

recipe("task_arithmetic", "task_arithmetic", "base + sum of weighted task vectors (normalize default false)", """
merge_method: task_arithmetic
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 1.0
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.5
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: -0.3
""")

recipe("task_arithmetic-lambda", "task_arithmetic", "lambda 0.6 together with normalize: true", """
merge_method: task_arithmetic
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.8
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.4
parameters:
  lambda: 0.6
  normalize: true
""")

recipe("ties", "ties", "magnitude pruning + sign election + disjoint mean; top-level density overridden per model", """
merge_method: ties
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 1.0
      density: 0.7
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.6
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.4
      density: 0.3
parameters:
  density: 0.5
""")

recipe("ties-filter", "ties", "filter lists: density/weight differ for self_attn, mlp and a default entry", """
merge_method: ties
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight:
        - filter: self_attn
          value: 1.0
        - filter: mlp
          value: 0.2
        - value: 0.5
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight:
        - filter: self_attn
          value: 0.2
        - filter: mlp
          value: 1.0
        - value: 0.5
parameters:
  density:
    - filter: self_attn
      value: 0.3
    - filter: mlp
      value: 0.8
    - value: 0.5
""")

recipe("ties-slices", "ties", "ties over slices with layer_range (3 output layers) and a base in every slice", """
merge_method: ties
base_model: Fixtures/models/llama-f32-base
slices:
  - sources:
      - model: Fixtures/models/llama-f32-base
        layer_range: [0, 2]
      - model: Fixtures/models/llama-f32-a
        layer_range: [0, 2]
        parameters:
          weight: 0.7
      - model: Fixtures/models/llama-f32-b
        layer_range: [0, 2]
        parameters:
          weight: 0.5
  - sources:
      - model: Fixtures/models/llama-f32-base
        layer_range: [1, 2]
      - model: Fixtures/models/llama-f32-b
        layer_range: [1, 2]
        parameters:
          weight: 0.5
      - model: Fixtures/models/llama-f32-c
        layer_range: [1, 2]
        parameters:
          weight: 0.9
parameters:
  density: 0.6
""")

recipe("dare_linear", "dare_linear", "random pruning, L1 rescale, no sign election", """
merge_method: dare_linear
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.5
      density: 0.6
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.3
      density: 0.5
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.2
      density: 0.4
""")

recipe("dare_ties", "dare_ties", "random pruning, L1 rescale, sign election", """
merge_method: dare_ties
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.5
      density: 0.6
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.3
      density: 0.5
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.2
      density: 0.4
""")

recipe("breadcrumbs", "breadcrumbs", "drop top gamma and bottom to reach density, no election", """
merge_method: breadcrumbs
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.6
      density: 0.8
      gamma: 0.05
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.4
      density: 0.7
      gamma: 0.1
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.3
      density: 0.9
      gamma: 0.2
""")

recipe("breadcrumbs_ties", "breadcrumbs_ties", "breadcrumbs pruning + sign election; default gamma 0.01 for one model", """
merge_method: breadcrumbs_ties
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.6
      density: 0.8
      gamma: 0.05
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.4
      density: 0.7
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.3
      density: 0.9
      gamma: 0.2
""")

recipe("della", "della", "per-row rank-based keep probability, L1 rescale, sign election, normalize", """
merge_method: della
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.5
      density: 0.6
      epsilon: 0.1
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.3
      density: 0.5
      epsilon: 0.2
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.2
      density: 0.4
""")

recipe("della_linear", "della_linear", "della pruning without election or normalize", """
merge_method: della_linear
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.5
      density: 0.6
      epsilon: 0.1
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.3
      density: 0.5
      epsilon: 0.2
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.2
      density: 0.4
""")

recipe("slerp", "slerp", "two models, scalar t from the base", """
merge_method: slerp
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-base
  - model: Fixtures/models/llama-f32-a
parameters:
  t: 0.4
""")

recipe("slerp-gradient", "slerp", "t gradients (5- and 3-element lists) under self_attn / mlp filters and a default entry; base not listed under models", """
merge_method: slerp
base_model: Fixtures/models/llama-f32-a
models:
  - model: Fixtures/models/llama-f32-b
parameters:
  t:
    - filter: self_attn
      value: [0, 0.5, 0.3, 0.7, 1]
    - filter: mlp
      value: [1, 0.5, 0.7, 0.3, 0]
    - value: [0.2, 0.5, 0.8]
""")

recipe("nuslerp", "nuslerp", "two models without base, t = w2/(w1+w2), whole-tensor (flatten default)", """
merge_method: nuslerp
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.3
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.7
""")

recipe("nuslerp-base", "nuslerp", "slerp of task vectors added back to the base", """
merge_method: nuslerp
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 1.0
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 1.0
""")

recipe("nuslerp-rows", "nuslerp", "nuslerp_flatten: false (per row, i.e. last dim), no base", """
merge_method: nuslerp
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.4
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.6
parameters:
  nuslerp_flatten: false
""")

recipe("nuslerp-row_wise", "nuslerp", "nuslerp_row_wise: true with nuslerp_flatten: false (slerp along dim 0, i.e. per column), with base", """
merge_method: nuslerp
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.4
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.6
parameters:
  nuslerp_flatten: false
  nuslerp_row_wise: true
""")

recipe("multislerp", "multislerp", "three task vectors on the hypersphere around the base", """
merge_method: multislerp
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 0.5
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.3
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.2
""")

recipe("multislerp-nobase", "multislerp", "no base: the raw tensors are interpolated", """
merge_method: multislerp
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 1.0
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 2.0
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 1.0
""")

recipe("karcher", "karcher", "Karcher mean of three models (equal weights, defaults max_iter 10, tol 1e-5)", """
merge_method: karcher
models:
  - model: Fixtures/models/llama-f32-a
  - model: Fixtures/models/llama-f32-b
  - model: Fixtures/models/llama-f32-c
""")

recipe("karcher-iter", "karcher", "explicit max_iter 3 and tol 1e-7", """
merge_method: karcher
models:
  - model: Fixtures/models/llama-f32-a
  - model: Fixtures/models/llama-f32-b
  - model: Fixtures/models/llama-f32-c
parameters:
  max_iter: 3
  tol: 1.0e-7
""")

recipe("model_stock", "model_stock", "whole-tensor cosine of three task vectors", """
merge_method: model_stock
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
  - model: Fixtures/models/llama-f32-b
  - model: Fixtures/models/llama-f32-c
""")

recipe("model_stock-filter_wise", "model_stock", "filter_wise: true (per-row cosine and t)", """
merge_method: model_stock
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
  - model: Fixtures/models/llama-f32-b
  - model: Fixtures/models/llama-f32-c
parameters:
  filter_wise: true
""")

recipe("sce", "sce", "select_topk 0.5; the per-model weights are ignored by mergekit", """
merge_method: sce
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
    parameters:
      weight: 1.0
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.1
  - model: Fixtures/models/llama-f32-c
    parameters:
      weight: 0.5
parameters:
  select_topk: 0.5
""")

recipe("sce-all", "sce", "default select_topk 1.0 (no variance selection)", """
merge_method: sce
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-a
  - model: Fixtures/models/llama-f32-b
  - model: Fixtures/models/llama-f32-c
""")

recipe("nearswap", "nearswap", "t 0.003 (of the order of the task-vector entries, so the weight varies per element)", """
merge_method: nearswap
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-base
  - model: Fixtures/models/llama-f32-a
parameters:
  t: 0.003
""")

recipe("arcee_fusion", "arcee_fusion", "KL-weighted importance with median + 1.5 IQR threshold", """
merge_method: arcee_fusion
base_model: Fixtures/models/llama-f32-base
models:
  - model: Fixtures/models/llama-f32-base
  - model: Fixtures/models/llama-f32-a
""")

recipe("passthrough", "passthrough", "frankenmerge: a layers 0-1 then b layer 1 -> 3 layers; o_proj scaled by 0.5 in the second slice", """
merge_method: passthrough
slices:
  - sources:
      - model: Fixtures/models/llama-f32-a
        layer_range: [0, 2]
  - sources:
      - model: Fixtures/models/llama-f32-b
        layer_range: [1, 2]
        parameters:
          scale:
            - filter: o_proj
              value: 0.5
            - value: 1.0
""")

# ------------------------------------------------------- tied embeddings

recipe("tied-linear", "linear", "tied embeddings: no lm_head.weight in any input, none in the output", """
merge_method: linear
models:
  - model: Fixtures/models/llama-tied-base
    parameters:
      weight: 0.5
  - model: Fixtures/models/llama-tied-a
    parameters:
      weight: 0.5
""")

recipe("tied-ties", "ties", "ties on tied-embedding models", """
merge_method: ties
base_model: Fixtures/models/llama-tied-base
models:
  - model: Fixtures/models/llama-tied-a
    parameters:
      weight: 1.0
      density: 0.5
""")

recipe("tied-mixed", "linear", "tied base + untied model: the tied model's embedding stands in for its lm_head", """
merge_method: linear
base_model: Fixtures/models/llama-tied-base
models:
  - model: Fixtures/models/llama-tied-base
    parameters:
      weight: 0.5
  - model: Fixtures/models/llama-f32-b
    parameters:
      weight: 0.5
""")

# ------------------------------------------------------------ BF16 pairs
# Same recipe twice: `dtype: bfloat16` (mergekit's own BF16 arithmetic) and
# `dtype: float32` + `out_dtype: bfloat16` (Smelt's rule: Float32
# arithmetic, one round-to-nearest-even when stored).

BF16_BODIES = {
    "linear": """
merge_method: linear
models:
  - model: Fixtures/models/llama-bf16-a
    parameters:
      weight: 0.5
  - model: Fixtures/models/llama-bf16-b
    parameters:
      weight: 0.3
  - model: Fixtures/models/llama-bf16-c
    parameters:
      weight: 0.2
""",
    "task_arithmetic": """
merge_method: task_arithmetic
base_model: Fixtures/models/llama-bf16-base
models:
  - model: Fixtures/models/llama-bf16-a
    parameters:
      weight: 1.0
  - model: Fixtures/models/llama-bf16-b
    parameters:
      weight: 0.5
  - model: Fixtures/models/llama-bf16-c
    parameters:
      weight: -0.3
""",
    "ties": """
merge_method: ties
base_model: Fixtures/models/llama-bf16-base
models:
  - model: Fixtures/models/llama-bf16-a
    parameters:
      weight: 1.0
      density: 0.7
  - model: Fixtures/models/llama-bf16-b
    parameters:
      weight: 0.6
  - model: Fixtures/models/llama-bf16-c
    parameters:
      weight: 0.4
      density: 0.3
parameters:
  density: 0.5
""",
    "slerp": """
merge_method: slerp
base_model: Fixtures/models/llama-bf16-base
models:
  - model: Fixtures/models/llama-bf16-base
  - model: Fixtures/models/llama-bf16-a
parameters:
  t: 0.4
""",
}
BF16_PAIRS = []
for _m, _body in BF16_BODIES.items():
    recipe(f"bf16-{_m}-stepwise", _m,
           "BF16 inputs, dtype: bfloat16 (mergekit computes in BF16)",
           _body + "dtype: bfloat16\n")
    recipe(f"bf16-{_m}-f32ref", _m,
           "BF16 inputs, dtype: float32 + out_dtype: bfloat16 (Smelt's precision rule)",
           _body + "dtype: float32\nout_dtype: bfloat16\n")
    BF16_PAIRS.append((f"bf16-{_m}-stepwise", f"bf16-{_m}-f32ref"))

# ----------------------------------------------------------------- large

recipe("large-ties", "ties", "llama-large (BF16, 307,200-element matrices): F32 arithmetic, out_dtype bfloat16; exercises chunked execution", """
merge_method: ties
base_model: Fixtures/models/llama-large-base
models:
  - model: Fixtures/models/llama-large-a
    parameters:
      weight: 0.8
      density: 0.3
dtype: float32
out_dtype: bfloat16
""")


# ------------------------------------------------------------------ driver

KEEP_SUFFIXES = (".safetensors", ".safetensors.index.json")


def run_one(name):
    method, _tests, _text, extra = R[name]
    out = GOLDENS / name
    with tempfile.TemporaryDirectory(prefix=f"golden-{name}-") as tmp:
        tmp_out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "mergekit.scripts.run_yaml",
               f"Fixtures/recipes/{name}.yml", str(tmp_out), *COMMON_ARGS, *extra]
        env = dict(os.environ, PYTHONHASHSEED="0", CUDA_VISIBLE_DEVICES="",
                   TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1",
                   TRANSFORMERS_OFFLINE="1")
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{name}: mergekit failed ({proc.returncode})\n"
                               f"{proc.stdout}\n{proc.stderr}")
        written = sorted(p.name for p in tmp_out.iterdir())
        out.mkdir(parents=True)
        kept = []
        for fn in written:
            if fn == "config.json" or fn.endswith(KEEP_SUFFIXES):
                shutil.copyfile(tmp_out / fn, out / fn)
                kept.append(fn)
        warnings = [l for l in proc.stderr.splitlines()
                    if l.startswith(("WARNING", "ERROR"))]
    return name, written, kept, warnings


def load(name):
    from safetensors.torch import load_file
    d = GOLDENS / name
    out = {}
    for f in sorted(d.glob("*.safetensors")):
        out.update(load_file(str(f)))
    return out


def bf16_stats():
    import torch
    rows = []
    for step, ref in BF16_PAIRS:
        a, b = load(step), load(ref)
        assert a.keys() == b.keys()
        n = diff = 0
        mx = 0.0
        mx_rel = 0.0
        per_tensor = {}
        for k in sorted(a):
            x, y = a[k], b[k]
            assert x.dtype == y.dtype == torch.bfloat16, (k, x.dtype, y.dtype)
            ne = (x.view(torch.int16) != y.view(torch.int16))
            d = int(ne.sum())
            n += x.numel()
            diff += d
            if d:
                per_tensor[k] = d
                ad = (x.float() - y.float()).abs()
                mx = max(mx, float(ad.max()))
            # difference in units in the last place of the reference
        rows.append(dict(stepwise=step, f32ref=ref, elements=n, differing=diff,
                         max_abs_diff=mx))
    return rows


# Recipes (scalar weight/density only) checked against a TIES re-computation
# whose magnitude pruning breaks ties at the cut-off by lower flat index.
TIE_CHECK = ["ties", "tied-ties", "bf16-ties-f32ref", "large-ties"]


def tie_report():
    """How far mergekit's TIES goldens depend on its sort's tie order.

    mergekit keeps the k largest |delta| with torch.argsort(descending=True),
    which is not stable for more than 16 elements, so which of several equal
    magnitudes at the cut-off survive is torch's choice. This recomputes each
    recipe in F32 with the same operation order but a stable, lower-index-first
    cut-off, and counts the output elements that differ bit for bit, and how
    many of those sit where some model has |delta| equal to its cut-off value.
    """
    import torch
    import yaml
    from safetensors.torch import load_file

    def model_tensors(path):
        d = ROOT / path
        out = {}
        for f in sorted(d.glob("*.safetensors")):
            out.update(load_file(str(f)))
        return out

    rows = []
    for name in TIE_CHECK:
        cfg = yaml.safe_load((RECIPES / f"{name}.yml").read_text())
        top = cfg.get("parameters") or {}
        base = model_tensors(cfg["base_model"])
        others = []
        for m in cfg["models"]:
            if m["model"] == cfg["base_model"]:
                continue
            p = m.get("parameters") or {}
            others.append((model_tensors(m["model"]), float(p["weight"]),
                           float(p.get("density", top.get("density", 1.0)))))
        golden = load(name)
        n = differ = differ_at_ties = 0
        for k in sorted(golden):
            def get(t):
                return (t.get(k) if k in t else t["model.embed_tokens.weight"]).float()
            b = get(base).reshape(-1)
            deltas, tied = [], torch.zeros(b.numel(), dtype=torch.bool)
            for t, _w, dens in others:
                delta = get(t).reshape(-1) - b
                if dens < 1:
                    kk = max(1, int(dens * delta.numel()))
                    order = torch.argsort(delta.abs(), descending=True, stable=True)
                    mask = torch.zeros_like(delta)
                    mask[order[:kk]] = 1
                    cut = delta.abs()[order[kk - 1]]
                    tied |= delta.abs() == cut
                    delta = delta * mask
                deltas.append(delta)
            deltas = torch.stack(deltas)
            weights = torch.tensor([w for _t, w, _d in others]).unsqueeze(-1)
            deltas = deltas * weights
            majority = (deltas.sum(dim=0) >= 0).float() * 2 - 1
            keep = deltas.sign() == majority
            mixed = (deltas * keep).sum(dim=0)
            divisor = (weights * keep).sum(dim=0)
            divisor[divisor == 0] = 1
            ref = (b + mixed / divisor).to(golden[k].dtype)
            g = golden[k].reshape(-1)
            bits = torch.int16 if g.dtype == torch.bfloat16 else torch.int32
            ne = ref.view(bits) != g.view(bits)
            n += g.numel()
            differ += int(ne.sum())
            differ_at_ties += int((ne & tied).sum())
        rows.append(dict(name=name, elements=n, differing=differ,
                         differing_at_cutoff_ties=differ_at_ties))
    return rows


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def versions():
    import mergekit  # noqa: F401
    import importlib.metadata as md
    v = {p: md.version(p) for p in ("mergekit", "torch", "transformers",
                                    "safetensors", "numpy", "pydantic")}
    v["python"] = platform.python_version()
    return v


def fmt(x):
    return f"{x:.3g}" if x else "0"


def write_readme(ver, results, stats, ties, index):
    lines = []
    w = lines.append
    w("# mergekit 0.1.5 goldens")
    w("")
    w("Generated by `tools/make-goldens.sh` (which runs `tools/make_goldens.py`);")
    w("do not edit by hand. The script rewrites `Fixtures/recipes/` and")
    w("`Fixtures/goldens/` entirely, and two runs give byte-identical files.")
    w("")
    w("## How they were made")
    w("")
    w("| package | version |")
    w("|---|---|")
    for k in ("mergekit", "torch", "transformers", "safetensors", "numpy", "pydantic", "python"):
        w(f"| {k} | {ver[k]} |")
    w("")
    w("Each recipe `Fixtures/recipes/<name>.yml` is run on CPU from the repository")
    w("root (the model paths in the recipes are relative to it) as")
    w("")
    w("```")
    w("PYTHONHASHSEED=0 CUDA_VISIBLE_DEVICES= python -m mergekit.scripts.run_yaml \\")
    w(f"    Fixtures/recipes/<name>.yml <tmp-out> {' '.join(COMMON_ARGS)} [extra]")
    w("```")
    w("")
    w("(`python -m mergekit.scripts.run_yaml` is the `mergekit-yaml` command.)")
    w("`--random-seed 42` makes mergekit call `transformers.trainer_utils.set_seed(42)`")
    w("(seeds Python `random`, numpy and torch's global generator) before merging;")
    w("the random methods (dare_*, della*) draw their masks from torch's global CPU")
    w("generator in mergekit's task execution order, so these goldens are")
    w("reproducible with mergekit but Smelt cannot reproduce their masks bit for bit:")
    w("compare them statistically (density of kept task-vector entries, rescale).")
    w("`-j 1` fixes torch to one CPU thread so reductions happen in the same order")
    w("on any machine; PYTHONHASHSEED fixes mergekit's set iteration order (it")
    w("picks the output config's donor model from a set when there is no base).")
    w("")
    w("For each run mergekit writes `config.json` (transformers' `save_pretrained`")
    w("of the base model's config, else of one referenced model's), the tensors")
    w("(`model.safetensors`, or `model-0000i-of-0000n.safetensors` plus")
    w("`model.safetensors.index.json` when sharded), `README.md` (a model card) and")
    w("`mergekit_config.yml` (the recipe text verbatim). With `--copy-tokenizer`")
    w("(the default) it would also copy tokenizer files from the base (or first)")
    w("model; the fixtures have none, so the runs use `--no-copy-tokenizer`. Only")
    w("`config.json` and the safetensors files (and the shard index) are kept here.")
    w("")
    w("Note on gradients: the fixtures have 2 layers, so inside a slice the")
    w("layers sit at t = 0 and t = 1 and gradients are only ever evaluated at their")
    w("end points (a one-layer slice gets t = 1; embeddings, final norm and lm_head")
    w("get t = 0, i.e. the list's first value).")
    w("")
    w("## Recipes")
    w("")
    w("| name | method | tests | output files |")
    w("|---|---|---|---|")
    for e in index:
        files = ", ".join(f for f in e["files"] if f != "config.json")
        w(f"| `{e['name']}` | {e['method']} | {e['tests']}"
          f"{' (random, seeded)' if e['random'] else ''} | {files} |")
    w("")
    w("## BF16: mergekit's BF16 arithmetic vs one rounding of F32 arithmetic")
    w("")
    w("`bf16-<m>-stepwise` uses `dtype: bfloat16`: mergekit loads the BF16 inputs")
    w("as BF16 and computes in BF16 (each torch op rounds; linear and slerp")
    w("nevertheless upcast internally to F32 and round once at the end).")
    w("`bf16-<m>-f32ref` uses `dtype: float32` and `out_dtype: bfloat16`: inputs")
    w("upcast to F32, F32 arithmetic, one round-to-nearest-even when saved, which")
    w("is Smelt's rule. Elements compared bit for bit over all tensors:")
    w("")
    w("| recipe pair | elements | differing | max abs diff |")
    w("|---|---|---|---|")
    for s in stats:
        w(f"| `{s['stepwise']}` vs `{s['f32ref']}` | {s['elements']} | "
          f"{s['differing']} ({100 * s['differing'] / s['elements']:.2f}%) | {fmt(s['max_abs_diff'])} |")
    w("")
    w("## Tie order at the magnitude cut-off (ties family)")
    w("")
    w("mergekit's magnitude pruning keeps the k = max(1, int(density * N)) largest")
    w("|delta| using `torch.argsort(descending=True)`, which is not stable for more")
    w("than 16 elements: among equal magnitudes at the cut-off, which ones survive")
    w("is torch's choice, not lower-index-first. F32 task vectors almost never")
    w("tie, but deltas of BF16 values take few distinct values and tie a lot.")
    w("Each recipe below was recomputed in F32 with mergekit's operation order and")
    w("a stable (lower flat index first) cut-off; the table counts output elements")
    w("that differ bit for bit, and how many of them sit where some model's |delta|")
    w("equals its cut-off value. Where all differences are at such ties, an")
    w("implementation with a different tie rule should match the golden exactly")
    w("everywhere else.")
    w("")
    w("| recipe | elements | differing from stable cut-off | of which at cut-off ties |")
    w("|---|---|---|---|")
    for r in ties:
        w(f"| `{r['name']}` | {r['elements']} | {r['differing']} | {r['differing_at_cutoff_ties']} |")
    w("")
    w("The same applies to breadcrumbs (ascending `torch.sort`), to della's ranks")
    w("and to sce's `torch.topk` on the variance. For the F32 goldens here a")
    w("stable re-computation selects the same elements (checked while writing")
    w("this script), so only the BF16-derived recipes are affected.")
    w("")
    w("## Sizes")
    w("")
    total = sum(p.stat().st_size for p in GOLDENS.rglob("*") if p.is_file() and p.name != "README.md")
    w(f"All golden files (without this README): {total} bytes.")
    w("")
    (GOLDENS / "README.md").write_text("\n".join(lines))


def main():
    for d in (RECIPES, GOLDENS):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    for name, (_m, _t, text, _e) in R.items():
        (RECIPES / f"{name}.yml").write_text(text)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run_one, R))
    for name, written, kept, warnings in results:
        print(f"{name}: wrote {written}, kept {kept}")
        for l in warnings:
            print(f"  {l}")

    index = []
    for name, written, kept, _w in results:
        method, tests, _text, extra = R[name]
        index.append(dict(
            name=name, method=method, recipe=f"Fixtures/recipes/{name}.yml",
            tests=tests, extra_args=extra,
            random=method.startswith(("dare", "della")),
            files=kept,
            sha256={f: sha256(GOLDENS / name / f) for f in kept}))
    ver = versions()
    (GOLDENS / "index.json").write_text(json.dumps(
        dict(generator="tools/make_goldens.py", versions=ver,
             common_args=COMMON_ARGS, goldens=index), indent=2, sort_keys=True) + "\n")
    stats = bf16_stats()
    for s in stats:
        print(s)
    ties = tie_report()
    for r in ties:
        print(r)
    write_readme(ver, results, stats, ties, index)


if __name__ == "__main__":
    main()
