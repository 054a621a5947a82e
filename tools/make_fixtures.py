#!/usr/bin/env python3
"""Regenerate Smelt's committed fixture checkpoints and their digests.

Writes Fixtures/models/<name>/ and Fixtures/fixture-digests.json under the
repository root (found from this file's location, so the working directory
does not matter). Output is byte-for-byte deterministic: fixed RNG seeds,
fixed tensor order, JSON written with fixed key order and no timestamps.

The safetensors files are written by hand rather than with the safetensors
library so the exact header bytes (key order, padding) are ours to define,
and the digests are computed with the `xxhash` package so they are
independent of Smelt's own XXH3 code.

Usage (from the repository root): python tools/make_fixtures.py
"""

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import xxhash

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Fixtures"
MODELS = FIXTURES / "models"

SMALL = dict(vocab=128, hidden=32, heads=4, kv_heads=2, head_dim=8, inter=64, layers=2)
# Sized so the embedding and each MLP matrix have 307,200 elements: big
# enough to span several chunks in Smelt's streaming paths, small enough
# to commit.
LARGE = dict(vocab=2400, hidden=128, heads=4, kv_heads=4, head_dim=32, inter=2400, layers=1)

BASE_STD, NORM_STD, TASK_STD = 0.02, 0.01, 0.004
# One seed per independent draw, so adding a variant never shifts the
# values of an existing fixture.
SEEDS = {"small-base": 1000, "large-base": 2000,
         "a": 1, "b": 2, "c": 3, "large-a": 11}


def llama_shapes(d, tied):
    """Tensor name -> shape, named exactly as transformers' LlamaForCausalLM."""
    h, q, kv = d["hidden"], d["heads"] * d["head_dim"], d["kv_heads"] * d["head_dim"]
    shapes = {"model.embed_tokens.weight": [d["vocab"], h], "model.norm.weight": [h]}
    if not tied:
        shapes["lm_head.weight"] = [d["vocab"], h]
    for i in range(d["layers"]):
        p = f"model.layers.{i}."
        shapes.update({
            p + "input_layernorm.weight": [h],
            p + "post_attention_layernorm.weight": [h],
            p + "self_attn.q_proj.weight": [q, h],
            p + "self_attn.k_proj.weight": [kv, h],
            p + "self_attn.v_proj.weight": [kv, h],
            p + "self_attn.o_proj.weight": [h, q],
            p + "mlp.gate_proj.weight": [d["inter"], h],
            p + "mlp.up_proj.weight": [d["inter"], h],
            p + "mlp.down_proj.weight": [h, d["inter"]],
        })
    return dict(sorted(shapes.items()))


def is_norm(name):
    return name.endswith("norm.weight")


def base_weights(shapes, seed):
    # A single generator drawn in sorted-name order: the sort is fixed, so
    # the stream is too. RMSNorm weights sit around 1, as in a trained model.
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in shapes.items():
        x = rng.normal(0.0, NORM_STD if is_norm(name) else BASE_STD, shape)
        out[name] = (1.0 + x if is_norm(name) else x).astype(np.float32)
    return out


def with_task_vector(base, seed):
    rng = np.random.default_rng(seed)
    return {n: base[n] + rng.normal(0.0, TASK_STD, t.shape).astype(np.float32)
            for n, t in base.items()}


def to_bf16(x):
    """F32 -> BF16 bits, round to nearest even (inputs are finite, no NaN)."""
    u = x.astype("<f4").view("<u4").astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")


def encode(tensors, dtype):
    """Name -> (safetensors dtype string, shape, raw little-endian bytes)."""
    out = {}
    for name, t in tensors.items():
        raw = to_bf16(t) if dtype == "BF16" else t.astype("<f4")
        out[name] = (dtype, list(t.shape), np.ascontiguousarray(raw).tobytes())
    return out


def write_safetensors(path, encoded):
    """Header keys: __metadata__ first, then tensors in data-section order."""
    header, data, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(encoded):
        dtype, shape, raw = encoded[name]
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(raw)]}
        data.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # Pad with spaces so the data section starts 8-byte aligned, as the
    # reference writer does; readers must accept the trailing spaces.
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(data))


def write_json(path, obj):
    path.write_text(json.dumps(obj, sort_keys=True, indent=2) + "\n")


def write_configs(folder, d, tied, torch_dtype):
    write_json(folder / "config.json", {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "hidden_size": d["hidden"], "intermediate_size": d["inter"],
        "num_attention_heads": d["heads"], "num_key_value_heads": d["kv_heads"],
        "head_dim": d["head_dim"], "num_hidden_layers": d["layers"],
        "vocab_size": d["vocab"], "rms_norm_eps": 1e-5,
        "max_position_embeddings": 256, "rope_theta": 10000.0,
        "hidden_act": "silu", "tie_word_embeddings": tied,
        "torch_dtype": torch_dtype, "bos_token_id": 1, "eos_token_id": 2,
        "transformers_version": "4.46.0",
    })
    write_json(folder / "generation_config.json",
               {"bos_token_id": 1, "eos_token_id": 2, "_from_model_config": True})


def write_model(name, tensors, d, tied, dtype):
    folder = MODELS / name
    folder.mkdir(parents=True)
    write_configs(folder, d, tied, "bfloat16" if dtype == "BF16" else "float32")
    write_safetensors(folder / "model.safetensors", encode(tensors, dtype))


def write_sharded(name, tensors, d, shard_count):
    folder = MODELS / name
    folder.mkdir(parents=True)
    write_configs(folder, d, False, "float32")
    encoded = encode(tensors, "F32")
    total = sum(len(raw) for _, _, raw in encoded.values())
    # Contiguous runs in sorted-name order; a tensor goes to the shard its
    # byte midpoint falls in, which gives roughly equal shards.
    shards, cursor = [{} for _ in range(shard_count)], 0
    for n in sorted(encoded):
        size = len(encoded[n][2])
        shards[min(shard_count - 1, (2 * cursor + size) * shard_count // (2 * total))][n] = encoded[n]
        cursor += size
    assert all(shards), "a shard came out empty"
    weight_map = {}
    for i, shard in enumerate(shards, 1):
        file_name = f"model-{i:05d}-of-{shard_count:05d}.safetensors"
        write_safetensors(folder / file_name, shard)
        weight_map.update({n: file_name for n in shard})
    write_json(folder / "model.safetensors.index.json",
               {"metadata": {"total_size": total}, "weight_map": weight_map})


def digest_file(path):
    """Size, header digest and per-tensor digests, as DESIGN.md defines them."""
    blob = path.read_bytes()
    (n,) = struct.unpack_from("<Q", blob, 0)
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    return {
        "size": len(blob),
        "header_length": n,
        "header_xxh3": xxhash.xxh3_64_hexdigest(blob[:8 + n]),
        "tensors": {name: xxhash.xxh3_64_hexdigest(data[e["data_offsets"][0]:e["data_offsets"][1]])
                    for name, e in header.items() if name != "__metadata__"},
    }


def main():
    # The models folder is entirely generated: start from empty so a
    # renamed or dropped fixture leaves nothing stale behind.
    if MODELS.exists():
        shutil.rmtree(MODELS)
    MODELS.mkdir(parents=True)

    base = base_weights(llama_shapes(SMALL, tied=False), SEEDS["small-base"])
    small = {"base": base}
    for v in "abc":
        small[v] = with_task_vector(base, SEEDS[v])
    for v, tensors in small.items():
        write_model(f"llama-f32-{v}", tensors, SMALL, False, "F32")
        write_model(f"llama-bf16-{v}", tensors, SMALL, False, "BF16")
    # Tied fixtures reuse the untied values without lm_head, so a tied and an
    # untied merge can be compared tensor by tensor.
    for v in ("base", "a"):
        tied = {n: t for n, t in small[v].items() if n != "lm_head.weight"}
        write_model(f"llama-tied-{v}", tied, SMALL, True, "F32")
    write_sharded("llama-sharded", small["a"], SMALL, 3)

    large_base = base_weights(llama_shapes(LARGE, tied=True), SEEDS["large-base"])
    write_model("llama-large-base", large_base, LARGE, True, "BF16")
    write_model("llama-large-a", with_task_vector(large_base, SEEDS["large-a"]), LARGE, True, "BF16")

    digests = {p.relative_to(FIXTURES).as_posix(): digest_file(p)
               for p in sorted(MODELS.rglob("*.safetensors"))}
    write_json(FIXTURES / "fixture-digests.json", digests)


if __name__ == "__main__":
    main()
