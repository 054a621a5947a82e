#!/usr/bin/env python3
"""References for TIES under Smelt's rule for ties at the pruning cut-off.

mergekit 0.1.5 keeps the k largest |delta| with torch's unstable argsort,
so which of several equal magnitudes at the cut-off survive is up to
torch. Smelt keeps the lower index (DESIGN.md, principle 4). For the two
recipes whose BF16 task vectors tie at the cut-off, this script computes
the merge the way mergekit does (Float32 arithmetic in mergekit's order,
one rounding to BF16 at the end) but with a stable sort, and writes
Fixtures/goldens/<recipe>-lower-index/model.safetensors.

Run from anywhere with a Python that has numpy and PyYAML:
    /tmp/pyref/bin/python tools/make_lower_index_references.py
"""
import json, os, struct
import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECIPES = ["bf16-ties-f32ref", "large-ties"]


def read_safetensors(path):
    data = open(path, "rb").read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = data[8 + length + begin:8 + length + end]
        if entry["dtype"] == "BF16":
            values = (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        elif entry["dtype"] == "F32":
            values = np.frombuffer(raw, dtype=np.float32)
        else:
            raise SystemExit(f"{path}: {name}: unexpected dtype {entry['dtype']}")
        tensors[name] = values.reshape(entry["shape"])
    return tensors


def to_bf16_bits(values):
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    return rounded


def write_bf16(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        blob = to_bf16_bits(tensors[name]).tobytes()
        header[name] = {"dtype": "BF16", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))


def ties(base, models, weights, densities):
    flat_base = base.reshape(-1)
    contributions = []
    for values, weight, density in zip(models, weights, densities):
        delta = values.reshape(-1) - flat_base
        if density < 1:
            k = max(1, int(density * delta.size))
            order = np.argsort(-np.abs(delta), kind="stable")  # equal magnitudes: lower index first
            mask = np.zeros(delta.size, dtype=bool)
            mask[order[:k]] = True
            delta = np.where(mask, delta, np.float32(0))
        contributions.append(delta * np.float32(weight))
    stacked = np.stack(contributions)
    total = np.zeros_like(flat_base)
    for row in stacked:
        total = total + row
    majority = np.where(total >= 0, np.float32(1), np.float32(-1))
    agrees = np.sign(stacked) == majority
    kept = np.zeros_like(flat_base)
    divisor = np.zeros_like(flat_base)
    for row, weight, agree in zip(stacked, weights, agrees):
        kept = kept + np.where(agree, row, np.float32(0))
        divisor = divisor + np.where(agree, np.float32(weight), np.float32(0))
    divisor = np.where(divisor == 0, np.float32(1), divisor)
    return (flat_base + kept / divisor).reshape(base.shape)


def main():
    for name in RECIPES:
        recipe = yaml.safe_load(open(os.path.join(ROOT, "Fixtures/recipes", name + ".yml")))
        assert recipe["merge_method"] == "ties"
        top = recipe.get("parameters", {}) or {}
        load = lambda ref: read_safetensors(os.path.join(ROOT, ref, "model.safetensors"))
        base = load(recipe["base_model"])
        entries = [m for m in recipe["models"] if m["model"] != recipe["base_model"]]
        models = [load(m["model"]) for m in entries]
        weights = [np.float32((m.get("parameters") or {}).get("weight", top.get("weight"))) for m in entries]
        densities = [float((m.get("parameters") or {}).get("density", top.get("density", 1.0))) for m in entries]
        merged = {t: ties(base[t], [m[t] for m in models], weights, densities) for t in base}
        write_bf16(os.path.join(ROOT, "Fixtures/goldens", name + "-lower-index", "model.safetensors"), merged)
        print(f"{name}-lower-index: {len(merged)} tensors")


if __name__ == "__main__":
    main()
