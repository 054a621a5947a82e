#!/usr/bin/env python3
"""Writes a base and two "fine-tunes" with SmolLM2-135M's shapes (BF16, tied
embeddings) whose task vectors look like those of short real fine-tunes:
Adam moves every weight by a few learning rates, so after BF16 rounding most
entries of a task vector are exactly zero or one unit in the last place, the
magnitudes take few distinct values (huge ties at any top-k cut-off), and a
low-rank component (as LoRA merges give) sits on top.

    python3 tools/make_realistic_trio.py DIR [--layers 30] [--seed 0]

Writes DIR/base, DIR/a, DIR/b, each with model.safetensors and config.json.
Needs numpy only. Deterministic for a given seed.
"""
import argparse
import json
import os
import struct

import numpy as np

VOCAB, HIDDEN, INTERMEDIATE, HEADS, KV_HEADS = 49152, 576, 1536, 9, 3
HEAD_DIM = HIDDEN // HEADS


def shapes(layers):
    yield "model.embed_tokens.weight", (VOCAB, HIDDEN), False
    for layer in range(layers):
        prefix = f"model.layers.{layer}."
        yield prefix + "input_layernorm.weight", (HIDDEN,), True
        yield prefix + "mlp.down_proj.weight", (HIDDEN, INTERMEDIATE), False
        yield prefix + "mlp.gate_proj.weight", (INTERMEDIATE, HIDDEN), False
        yield prefix + "mlp.up_proj.weight", (INTERMEDIATE, HIDDEN), False
        yield prefix + "post_attention_layernorm.weight", (HIDDEN,), True
        yield prefix + "self_attn.k_proj.weight", (KV_HEADS * HEAD_DIM, HIDDEN), False
        yield prefix + "self_attn.o_proj.weight", (HIDDEN, HIDDEN), False
        yield prefix + "self_attn.q_proj.weight", (HIDDEN, HIDDEN), False
        yield prefix + "self_attn.v_proj.weight", (KV_HEADS * HEAD_DIM, HIDDEN), False
    yield "model.norm.weight", (HIDDEN,), True


def to_bf16(values):
    """Float32 to BF16 bits, rounding to nearest even."""
    bits = values.astype(np.float32).view(np.uint32)
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16).astype(np.uint16)


def from_bf16(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def task_vector(rng, shape, fraction_unchanged, rank=8):
    """Adam-like steps (a few learning rates, sign-heavy), some entries left
    alone, plus a low-rank part."""
    steps = rng.standard_t(df=3, size=shape).astype(np.float32) * 2e-4
    steps[rng.random(shape) < fraction_unchanged] = 0
    if len(shape) == 2:
        left = rng.standard_normal((shape[0], rank)).astype(np.float32)
        right = rng.standard_normal((rank, shape[1])).astype(np.float32)
        steps += (left @ right) * (1e-4 / np.sqrt(rank))
    return steps


def write_model(folder, tensors, layers):
    os.makedirs(folder, exist_ok=True)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, bits in tensors:
        header[name] = {"dtype": "BF16", "shape": list(bits.shape), "data_offsets": [offset, offset + bits.nbytes]}
        offset += bits.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(folder, "model.safetensors"), "wb") as file:
        file.write(struct.pack("<Q", len(text)) + text)
        for _, bits in tensors:
            file.write(bits.tobytes())
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": HIDDEN,
              "intermediate_size": INTERMEDIATE, "num_attention_heads": HEADS, "num_key_value_heads": KV_HEADS,
              "num_hidden_layers": layers, "vocab_size": VOCAB, "tie_word_embeddings": True,
              "torch_dtype": "bfloat16"}
    with open(os.path.join(folder, "config.json"), "w") as file:
        json.dump(config, file, indent=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--layers", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    base, a, b = [], [], []
    for name, shape, is_norm in shapes(args.layers):
        values = rng.standard_normal(shape).astype(np.float32) * 0.04 + (1.0 if is_norm else 0.0)
        base_bits = to_bf16(values)
        stored = from_bf16(base_bits)
        base.append((name, base_bits))
        for model, unchanged in ((a, 0.3), (b, 0.5)):
            model.append((name, to_bf16(stored + task_vector(rng, shape, unchanged))))
    for model, tensors in (("base", base), ("a", a), ("b", b)):
        write_model(os.path.join(args.dir, model), tensors, args.layers)
    zeros = np.mean([np.mean(a_bits == b_bits) for (_, a_bits), (_, b_bits) in zip(base, a)])
    print(f"wrote {args.dir}/base, a, b; {zeros:.0%} of a's entries equal base's after BF16 rounding")


if __name__ == "__main__":
    main()
