#!/usr/bin/env python3
"""Write the fuzzers' seed corpus under tools/fuzz/corpus/<target>/.

Seeds are small valid (and a few nearly valid) inputs, so libFuzzer starts
from the shapes real files have instead of discovering JSON from scratch.
Deterministic, standard library only; paths are relative to this file.

Usage: python3 tools/fuzz/make_seeds.py
"""

import json
import shutil
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"

BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
        "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "I16": 16, "U16": 16, "F16": 16,
        "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "F64": 64, "I64": 64,
        "U64": 64, "C64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6}


def safetensors(tensors, metadata=None, pad=True):
    """tensors: [(name, dtype, shape)], laid out in order; data is zeros."""
    header, offset = {}, 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape in tensors:
        bits = BITS[dtype]
        for dim in shape:
            bits *= dim
        size = bits // 8
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + bytes(offset)


def shrunk_fixture(path):
    """A fixture's header with every dimension cut to at most 2."""
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    metadata = header.pop("__metadata__", None)
    entries = sorted(header.items(), key=lambda item: item[1]["data_offsets"])
    return safetensors([(name, e["dtype"], [min(d, 2) for d in e["shape"]]) for name, e in entries], metadata)


def header_json(tensors):
    """The JSON of a safetensors header, unpadded: the planner target
    writes the length prefix and the zero data section itself."""
    raw = safetensors(tensors, pad=False)
    (length,) = struct.unpack("<Q", raw[:8])
    return raw[8:8 + length].decode()


def llama(dtype="F32", layers=(0, 1), tied=False, extra=()):
    """A tiny Llama-shaped model: embedding, per-layer tensors, final norm
    and (untied) head, every dimension 2 or 4."""
    tensors = [("model.embed_tokens.weight", dtype, [4, 2])]
    for layer in layers:
        tensors += [(f"model.layers.{layer}.input_layernorm.weight", dtype, [2]),
                    (f"model.layers.{layer}.self_attn.q_proj.weight", dtype, [2, 2]),
                    (f"model.layers.{layer}.mlp.up_proj.weight", dtype, [4, 2])]
    tensors.append(("model.norm.weight", dtype, [2]))
    if not tied:
        tensors.append(("lm_head.weight", dtype, [4, 2]))
    return header_json(tensors + list(extra))


def config(layers=2, dtype="float32", **extra):
    return json.dumps({"architectures": ["LlamaForCausalLM"], "hidden_size": 2, "num_hidden_layers": layers,
                       "torch_dtype": dtype, **extra}, separators=(",", ":"))


def planner_input(recipe, *models):
    """The planner target's framing (PlannerTarget+Input.swift): the recipe,
    then per model its header JSON and, after a line ====, its config.json;
    parts split on lines ----. A model given as None has no folder."""
    parts = [recipe]
    for model in models:
        if model is None:
            parts.append("")
        elif isinstance(model, tuple):
            parts.append(model[0] + "\n====\n" + model[1])
        else:
            parts.append(model)
    return "\n----\n".join(parts)


# ggml type id: (elements per block, bytes per block), for the seeds' tensors.
GGML_BLOCKS = {0: (1, 4), 1: (1, 2), 30: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
               10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 20: (32, 18), 26: (1, 4)}


def gguf_string(text):
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(data)) + data


def gguf_value(value):
    """A GGUF value with its type tag from a (type name, value) pair; arrays
    are ("array", element type name, [values])."""
    kind = value[0]
    formats = {"uint8": (0, "<B"), "int8": (1, "<b"), "uint16": (2, "<H"), "int16": (3, "<h"), "uint32": (4, "<I"),
               "int32": (5, "<i"), "float32": (6, "<f"), "bool": (7, "<B"), "uint64": (10, "<Q"), "int64": (11, "<q"),
               "float64": (12, "<d")}
    if kind in formats:
        tag, fmt = formats[kind]
        return struct.pack("<I", tag) + struct.pack(fmt, value[1])
    if kind == "string":
        return struct.pack("<I", 8) + gguf_string(value[1])
    element_kind, elements = value[1], value[2]
    encoded = [gguf_value((element_kind,) + (e if element_kind == "array" else (e,))) for e in elements]
    element_tag = {**{k: v[0] for k, v in formats.items()}, "string": 8, "array": 9}[element_kind]
    return struct.pack("<IIQ", 9, element_tag, len(elements)) + b"".join(item[4:] for item in encoded)


def gguf(metadata=(), tensors=(), version=3, alignment=32):
    """A GGUF file: metadata [(key, value)], tensors [(name, ggml type id,
    ggml dimensions)] laid out in order, each padded; data is a byte pattern."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(metadata))
    for key, value in metadata:
        out += gguf_string(key) + gguf_value(value)
    offset, sizes = 0, []
    for name, type_id, dims in tensors:
        count = 1
        for dim in dims:
            count *= dim
        block, size = GGML_BLOCKS[type_id]
        sizes.append(count // block * size)
        out += gguf_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", type_id, offset)
        offset += -(-sizes[-1] // alignment) * alignment
    if tensors:
        out += bytes(-len(out) % alignment)
    for size in sizes:
        out += bytes((i * 37 + 11) & 0xFF for i in range(size)) + bytes(-size % alignment)
    return out


def write_gguf_seeds():
    write("gguf", "empty.gguf", gguf())
    write("gguf", "metadata.gguf", gguf([
        ("general.architecture", ("string", "llama")), ("u8", ("uint8", 255)), ("i8", ("int8", -1)),
        ("u16", ("uint16", 65535)), ("i16", ("int16", -2)), ("u32", ("uint32", 7)), ("i32", ("int32", -3)),
        ("u64", ("uint64", 2**64 - 1)), ("i64", ("int64", -4)), ("f32", ("float32", 0.5)), ("f64", ("float64", -0.25)),
        ("yes", ("bool", 1)), ("text", ("string", "caf\u00e9 \U0001f600")),
        ("tokens", ("array", "string", ["<s>", "a", ""])), ("scores", ("array", "float32", [0.0, -1.5])),
        ("types", ("array", "int32", [1, 2, 3])), ("flags", ("array", "bool", [0, 1])),
        ("empty", ("array", "uint64", [])), ("nested", ("array", "array", [("uint8", [1, 2]), ("string", ["x"])])),
    ]))
    write("gguf", "every-type.gguf", gguf(
        [("general.architecture", ("string", "test"))],
        [(f"t{type_id}", type_id, [block * 2 if block > 1 else 3]) for type_id, (block, _) in GGML_BLOCKS.items()]))
    write("gguf", "alignment-64-v2.gguf", gguf(
        [("general.alignment", ("uint32", 64))],
        [("scalar", 0, []), ("empty", 12, [0, 2]), ("four", 1, [2, 1, 3, 2]), ("q", 8, [64])], version=2, alignment=64))
    for name in ("all-types.gguf", "alignment-64.gguf"):
        write("gguf", name, (ROOT / "Fixtures" / "gguf" / "files" / name).read_bytes())


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    models = ROOT / "Fixtures" / "models"

    write("header", "tiny-f32.safetensors", safetensors([("w", "F32", [2])], {"format": "pt"}))
    write("header", "empty.safetensors", safetensors([]))
    write("header", "all-dtypes.safetensors", safetensors(
        [(f"t.{dtype.lower()}", dtype, [4] if BITS[dtype] < 8 else [1, 2]) for dtype in BITS]
        + [("scalar", "F64", []), ("empty", "I8", [0]), ("zero.dim", "BF16", [3, 0, 2])]))
    write("header", "unicode-names.safetensors", safetensors(
        [("caf\u00e9.\u00e9", "U8", [1]), ("tab\tnew\nline \"q\" \\ /", "U8", [1]), ("\U0001f600", "U8", [1])],
        {"key": "\u00e9\u20ac\U0001f600", "xxh3:x": "0123456789abcdef"}))
    write("header", "unpadded.safetensors", safetensors([("b", "BF16", [2, 2])], pad=False))
    write("header", "llama-bf16.safetensors", shrunk_fixture(models / "llama-bf16-a" / "model.safetensors"))
    write("header", "llama-tied-f32.safetensors", shrunk_fixture(models / "llama-tied-a" / "model.safetensors"))

    write("index", "llama-sharded.index.json", (models / "llama-sharded" / "model.safetensors.index.json").read_bytes())
    write("index", "minimal.index.json", '{"weight_map":{"a":"model.safetensors"}}')
    write("index", "float-total-size.index.json",
          '{"metadata":{"total_size":123.0,"format":"pt"},"weight_map":{"a":"x.safetensors","b":"y.safetensors"},"extra":[1,null]}')

    files = [{"name": "model.safetensors", "size": 1024, "header_xxh3": "0123456789abcdef", "content_xxh3": None},
             {"name": "config.json", "size": 491, "header_xxh3": None, "content_xxh3": "fedcba9876543210"}]
    tensors = [{"name": "model.norm.weight", "file": "model.safetensors", "dtype": "BF16", "shape": [32], "xxh3": "00000000000000ff"},
               {"name": "scalar", "file": "model.safetensors", "dtype": "F4", "shape": [], "xxh3": "ffffffffffffffff"}]
    write("manifest", "full.json", json.dumps(
        {"smelt_version": "0.1.0", "recipe": "merge_method: ties\n", "plan_xxh3": "a0b1c2d3e4f50617",
         "inputs": [{"path": "a", "resolved_path": "/m/a", "size": 1, "mtime": "2024-01-01T00:00:00Z", "header_xxh3": "0000000000000001"}],
         "files": files, "tensors": tensors}, indent=2) + "\n")
    write("manifest", "minimal.json", '{"smelt_version":"0.1.0","recipe":null,"plan_xxh3":null,"files":[],"tensors":[]}')

    write("json", "object.json", '{"a":[1,-2,3.5e-7,0,18446744073709551615,18446744073709551616],"b":{"c":null,"d":true,"e":false}}')
    write("json", "strings.json", '["\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/\\b\\f\\r", "caf\u00e9", ""]')
    write("json", "nested.json", "[" * 20 + "{}" + "]" * 20)
    write("json", "spaces.json", ' \t\r\n{"k" : [ 0.0 , 1E+2 ] }  \n')

    write_planner_seeds()
    write_gguf_seeds()


def write_planner_seeds():
    f32, bf16 = llama(), llama("BF16")
    write("planner", "linear.txt", planner_input(
        "merge_method: linear\nmodels:\n  - model: m0\n    parameters:\n      weight: 0.7\n"
        "  - model: m1\n    parameters:\n      weight: 0.3\n",
        (f32, config()), (f32, config())))
    write("planner", "linear-filtered-gradient.txt", planner_input(
        "merge_method: linear\nmodels:\n  - model: m0\n  - model: m1\n  - model: m2\nparameters:\n"
        "  weight:\n    - filter: self_attn\n      value: [0.1, 0.9]\n    - filter: mlp\n      value: 0.5\n"
        "    - value: 1\n  normalize: true\ndtype: float32\nout_dtype: bfloat16\n",
        bf16, bf16, bf16))
    write("planner", "ties-base.txt", planner_input(
        "merge_method: ties\nbase_model: m0\nmodels:\n  - model: m1\n    parameters:\n      density: 0.5\n"
        "      weight: 0.6\n  - model: m2\n    parameters:\n      density: 0.7\n      weight: [0.2, 0.8]\n"
        "parameters:\n  normalize: true\n  int8_mask: false\ndtype: bfloat16\n",
        (bf16, config(dtype="bfloat16")), bf16, bf16))
    write("planner", "slerp-filter.txt", planner_input(
        "merge_method: slerp\nbase_model: m0\nslices:\n  - sources:\n      - model: m0\n        layer_range: [0, 2]\n"
        "      - model: m1\n        layer_range: [0, 2]\nparameters:\n  t:\n    - filter: self_attn\n"
        "      value: [0, 0.5, 0.3, 0.7, 1]\n    - filter: mlp\n      value: [1, 0.5, 0.7, 0.3, 0]\n    - value: 0.5\n",
        (f32, config()), f32))
    write("planner", "passthrough-slices.txt", planner_input(
        "merge_method: passthrough\nslices:\n  - sources:\n      - model: m0\n        layer_range: [0, 2]\n"
        "  - sources:\n      - model: m1\n        layer_range: [1, 3]\n        parameters:\n          scale:\n"
        "            - filter: q_proj\n              value: 0.5\n            - value: 1.0\n",
        (f32, config()), (llama(layers=(0, 1, 2)), config(3))))
    write("planner", "task-arithmetic-slices.txt", planner_input(
        "merge_method: task_arithmetic\nbase_model: m0\nslices:\n  - sources:\n      - model: m0\n"
        "        layer_range: [0, 1]\n      - model: m1\n        layer_range: [1, 2]\n        parameters:\n"
        "          weight: 0.5\n  - sources:\n      - model: m0\n        layer_range: [1, 2]\n"
        "      - model: m2\n        layer_range: [0, 1]\n        parameters:\n          weight: 1.5\n"
        "parameters:\n  lambda: 0.8\nout_dtype: float16\n",
        (f32, config()), f32, f32))
    write("planner", "dare-ties-tied.txt", planner_input(
        "merge_method: dare_ties\nbase_model: m0\nmodels:\n  - model: m1\n    parameters:\n      weight: 0.5\n"
        "      density: 0.4\n  - model: m2/model.safetensors\n    parameters:\n      weight: 0.5\n      density: 0.6\n"
        "parameters:\n  rescale: true\n",
        (llama(tied=True), config(tie_word_embeddings=True)), llama(tied=True), f32))
    write("planner", "della-integer-tensor.txt", planner_input(
        "merge_method: della\nbase_model: m0\nmodels:\n  - model: m1\n    parameters:\n      weight: 1\n"
        "      density: 0.5\n      epsilon: 0.1\nparameters:\n  lambda: 1\n",
        llama(extra=[("model.position_ids", "I64", [1, 4])]), llama(extra=[("model.position_ids", "I64", [1, 4])])))
    write("planner", "layer-gap.txt", planner_input(
        "merge_method: linear\nmodels:\n  - model: m0\n  - model: m1\n",
        f32, (llama(layers=(0, 2)), config())))
    write("planner", "zero-by-max-shape.txt", planner_input(
        "merge_method: linear\nmodels:\n  - model: m0\n  - model: m1\n",
        llama(extra=[("model.layers.0.empty", "F32", [0, 18446744073709551615])]),
        llama(extra=[("model.layers.0.empty", "F32", [0, 18446744073709551615])])))
    write("planner", "config-mismatch.txt", planner_input(
        "merge_method: nuslerp\nmodels:\n  - model: m0\n    parameters:\n      weight: 1\n"
        "  - model: m1\n    parameters:\n      weight: 2\nparameters:\n  nuslerp_row_wise: true\n",
        (f32, config(3)), (f32, "{\"num_hidden_layers\":2.0}")))
    write("planner", "model-stock-missing-model.txt", planner_input(
        "merge_method: model_stock\nbase_model: m0\nmodels:\n  - model: m1\n  - model: m2\n"
        "  - model: org/name\nparameters:\n  filter_wise: false\n",
        (bf16, config()), bf16, None))
    write("planner", "sce-mixed-dtypes.txt", planner_input(
        "merge_method: sce\nbase_model: m0\nmodels:\n  - model: m1\n  - model: m2\nparameters:\n"
        "  select_topk: 0.5\n",
        f32, bf16, f32))


if __name__ == "__main__":
    main()
