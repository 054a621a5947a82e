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


if __name__ == "__main__":
    main()
