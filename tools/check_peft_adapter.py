#!/usr/bin/env python3
"""Checks a `smelt distill --save-adapter` output against PEFT itself.

Loads STUDENT with transformers, applies ADAPTER with peft's
PeftModel.from_pretrained (which reads adapter_config.json and
adapter_model.safetensors and warns or fails on names it does not know),
merges it (merge_and_unload) and compares every weight with MERGED, the
model.safetensors of the same `smelt distill` run without --save-adapter.

    ~/.cache/smelt/venv/bin/python tools/check_peft_adapter.py STUDENT ADAPTER MERGED

Prints the largest absolute difference; exits 1 above 1e-5 or when PEFT
left any adapter tensor unloaded.
"""
import sys

import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM


def main() -> int:
    student, adapter, merged = sys.argv[1:4]
    base = AutoModelForCausalLM.from_pretrained(student, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, adapter)
    saved = load_file(adapter + "/adapter_model.safetensors")
    loaded = {name: value for name, value in model.state_dict().items() if "lora_" in name}
    # PEFT keeps the adapter under its name ("default") in memory, not in the file.
    missing = [name for name in saved if name.replace(".weight", ".default.weight") not in loaded]
    if missing or len(saved) != len(loaded):
        print(f"PEFT did not load {len(missing)} of {len(saved)} tensors, e.g. {missing[:3]}")
        return 1
    for name, value in saved.items():
        if not torch.equal(loaded[name.replace(".weight", ".default.weight")], value):
            print(f"{name} differs once loaded")
            return 1
    weights = model.merge_and_unload().state_dict()
    expected = load_file(merged + "/model.safetensors")
    largest = 0.0
    for name, value in expected.items():
        largest = max(largest, (weights[name] - value).abs().max().item())
    print(f"{len(saved)} adapter tensors loaded by PEFT; largest difference after merging: {largest:.3g}")
    return 0 if largest <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
