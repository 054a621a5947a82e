#!/usr/bin/env python3
"""Checks that a checkpoint written by Smelt loads in Hugging Face transformers.

    check_transformers_load.py INPUT_FOLDER OUTPUT_FOLDER [--expect single|sharded]

INPUT_FOLDER is the model Smelt copied (a fixture), OUTPUT_FOLDER what
Smelt's writer published. Checks, each printed as PASS or FAIL:

* layout: `model.safetensors` alone, or `model-0000i-of-0000N.safetensors`
  with a `model.safetensors.index.json` whose weight_map names, for every
  tensor, the shard that stores it (and whose total_size is right);
* metadata: every shard's `__metadata__` has "format": "pt" and, for each
  tensor in that shard and nothing else, `xxh3:<name>` equal to
  xxhash.xxh3_64_hexdigest of the tensor's raw bytes as stored (DESIGN.md,
  "Formats");
* load: `LlamaForCausalLM.from_pretrained(OUTPUT_FOLDER)` succeeds with no
  missing, unexpected or mismatched keys;
* parameters: every parameter equals the input's tensor bit for bit (same
  dtype, shape and bytes), every input tensor is used, and a tied
  lm_head shares the embedding's storage;
* forward: a forward pass on a few token ids gives finite logits of the
  expected shape, equal to the logits of the input loaded the same way.

Needs torch, transformers, safetensors and xxhash (one-off tool, not part of
the test suite). Exit status: 0 all passed, 1 a check failed, 2 usage.
"""

import argparse
import json
import os
import re
import struct
import sys
import traceback

import torch
import transformers
import xxhash
from safetensors import safe_open
from safetensors.torch import load_file

INDEX_NAME = "model.safetensors.index.json"
SHARD_NAME = re.compile(r"^model-(\d{5})-of-(\d{5})\.safetensors$")
TOKEN_IDS = [1, 5, 17, 42, 99, 3, 64]


class Report:
    """Collects PASS/FAIL lines; any FAIL makes the exit status 1."""

    def __init__(self):
        self.failures = 0

    def check(self, name, passed, detail=""):
        status = "PASS" if passed else "FAIL"
        print(f"  {status}  {name}" + (f": {detail}" if detail else ""), flush=True)
        if not passed:
            self.failures += 1
        return passed


def read_raw_safetensors(path):
    """Header JSON and the raw bytes of every tensor as stored in the file."""
    with open(path, "rb") as handle:
        data = handle.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_length])
    data_start = 8 + header_length
    raw = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw[name] = data[data_start + begin : data_start + end]
    return header, raw


def input_tensor_files(folder):
    """The safetensors files of the input model folder."""
    index_path = os.path.join(folder, INDEX_NAME)
    if os.path.exists(index_path):
        with open(index_path) as handle:
            return sorted(set(json.load(handle)["weight_map"].values()))
    return ["model.safetensors"]


def tensor_bytes(tensor):
    """The tensor's bytes in memory (torch stores little-endian on x86)."""
    return tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8)


def check_layout(report, out, expect):
    """Checks the file names and the index; returns {shard: header, raw}."""
    names = sorted(os.listdir(out))
    shard_names = [n for n in names if n.endswith(".safetensors")]
    has_index = INDEX_NAME in names
    if shard_names == ["model.safetensors"] and not has_index:
        kind = "single"
        report.check("layout", True, "model.safetensors, no index")
    else:
        numbered = [SHARD_NAME.match(n) for n in shard_names]
        count = len(shard_names)
        expected = [f"model-{i:05d}-of-{count:05d}.safetensors" for i in range(1, count + 1)]
        kind = "sharded"
        report.check(
            "layout",
            has_index and all(numbered) and shard_names == expected,
            f"{count} shards {shard_names}, index {'present' if has_index else 'MISSING'}",
        )
    if expect is not None:
        report.check(f"layout is {expect}", kind == expect, f"found {kind}")

    shards = {name: read_raw_safetensors(os.path.join(out, name)) for name in shard_names}
    if has_index:
        with open(os.path.join(out, INDEX_NAME)) as handle:
            index = json.load(handle)
        where = {t: shard for shard, (_, raw) in shards.items() for t in raw}
        weight_map = index.get("weight_map", {})
        wrong = sorted(t for t in set(where) | set(weight_map) if where.get(t) != weight_map.get(t))
        report.check("index weight_map", not wrong, f"{len(weight_map)} entries" + (f", wrong for {wrong}" if wrong else ""))
        total = sum(len(b) for _, raw in shards.values() for b in raw.values())
        stated = index.get("metadata", {}).get("total_size")
        report.check("index total_size", stated == total, f"stated {stated}, data bytes {total}")
    return shards


def check_metadata(report, out, shards):
    """format pt and an XXH3-64 digest per tensor, in every shard."""
    for shard, (header, raw) in shards.items():
        metadata = safe_open(os.path.join(out, shard), framework="pt").metadata() or {}
        report.check(f"{shard} __metadata__ format", metadata.get("format") == "pt", f"format={metadata.get('format')!r}")
        if header.get("__metadata__") != metadata:
            report.check(f"{shard} __metadata__ read by safetensors", False, "differs from the raw header")
        digest_keys = {k[len("xxh3:") :] for k in metadata if k.startswith("xxh3:")}
        bad = []
        for name, data in raw.items():
            stored = metadata.get("xxh3:" + name)
            computed = xxhash.xxh3_64_hexdigest(data)
            if stored != computed:
                bad.append(f"{name}: stored {stored!r}, computed {computed}")
        extra = sorted(digest_keys - set(raw))
        detail = f"{len(raw)} tensors"
        if bad:
            detail += "; mismatches: " + "; ".join(bad)
        if extra:
            detail += f"; digests for tensors not in this shard: {extra}"
        report.check(f"{shard} xxh3 digests", not bad and not extra, detail)


def load_model(folder):
    return transformers.LlamaForCausalLM.from_pretrained(folder, dtype="auto", output_loading_info=True)


def check_parameters(report, model, inputs, shards):
    """Every parameter equals the input tensor of the same name, bit for bit."""
    state = model.state_dict()
    parameter_names = {name for name, _ in model.named_parameters(remove_duplicate=False)}
    output_names = {name for _, raw in shards.values() for name in raw}
    report.check(
        "output tensor names equal input",
        output_names == set(inputs),
        f"missing {sorted(set(inputs) - output_names)}, extra {sorted(output_names - set(inputs))}"
        if output_names != set(inputs) else f"{len(inputs)} tensors",
    )
    mismatches = []
    compared = 0
    for name in sorted(parameter_names):
        if name not in inputs:
            if name == "lm_head.weight" and model.config.tie_word_embeddings:
                continue  # checked below as sharing the embedding
            mismatches.append(f"{name}: no input tensor")
            continue
        compared += 1
        expected, actual = inputs[name], state[name]
        if actual.dtype != expected.dtype or tuple(actual.shape) != tuple(expected.shape):
            mismatches.append(f"{name}: loaded {actual.dtype} {tuple(actual.shape)}, input {expected.dtype} {tuple(expected.shape)}")
        elif not torch.equal(tensor_bytes(actual), tensor_bytes(expected)):
            differing = int((tensor_bytes(actual) != tensor_bytes(expected)).sum())
            mismatches.append(f"{name}: {differing} bytes differ")
    unused = sorted(set(inputs) - parameter_names)
    report.check(
        "parameters bit for bit",
        not mismatches and not unused,
        f"{compared} of {len(parameter_names)} parameters compared, dtypes {sorted({str(p.dtype) for p in model.parameters()})}"
        + (f"; mismatches: {mismatches}" if mismatches else "")
        + (f"; input tensors not used: {unused}" if unused else ""),
    )
    if model.config.tie_word_embeddings:
        shared = model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
        report.check("tied lm_head shares embed_tokens", shared and "lm_head.weight" not in output_names)


def check_forward(report, model, reference):
    ids = torch.tensor([TOKEN_IDS], dtype=torch.long)
    with torch.no_grad():
        logits = model(input_ids=ids).logits
        expected = reference(input_ids=ids).logits
    shape = (1, len(TOKEN_IDS), model.config.vocab_size)
    finite = bool(torch.isfinite(logits).all())
    report.check(
        "forward pass finite logits",
        tuple(logits.shape) == shape and finite,
        f"shape {tuple(logits.shape)} (expected {shape}), {logits.dtype}, finite={finite}, "
        f"range [{logits.float().min().item():.4f}, {logits.float().max().item():.4f}]",
    )
    report.check("logits equal the input model's", torch.equal(logits, expected),
                 f"max |diff| {(logits.float() - expected.float()).abs().max().item():.3g}")


def main():
    parser = argparse.ArgumentParser(description="Check a Smelt output loads in transformers.")
    parser.add_argument("input", help="the input model folder (fixture)")
    parser.add_argument("output", help="the folder Smelt's writer published")
    parser.add_argument("--expect", choices=["single", "sharded"], help="the layout the output must have")
    arguments = parser.parse_args()
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    torch.manual_seed(0)

    report = Report()
    print(f"check {arguments.output} against {arguments.input} "
          f"(torch {torch.__version__}, transformers {transformers.__version__})", flush=True)
    inputs = {}
    for name in input_tensor_files(arguments.input):
        inputs.update(load_file(os.path.join(arguments.input, name)))

    try:
        shards = check_layout(report, arguments.output, arguments.expect)
        check_metadata(report, arguments.output, shards)
    except Exception:
        report.check("read output files", False, traceback.format_exc())
        shards = {}

    try:
        model, info = load_model(arguments.output)
        problems = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs")}
        report.check("LlamaForCausalLM.from_pretrained", not problems, f"loading info {problems}" if problems else "no missing, unexpected or mismatched keys")
    except Exception:
        report.check("LlamaForCausalLM.from_pretrained", False, traceback.format_exc())
        model = None
    if model is not None:
        model.eval()
        check_parameters(report, model, inputs, shards)
        try:
            reference, _ = load_model(arguments.input)
            reference.eval()
            check_forward(report, model, reference)
        except Exception:
            report.check("forward pass", False, traceback.format_exc())

    verdict = "PASS" if report.failures == 0 else f"FAIL ({report.failures} checks failed)"
    print(f"  => {verdict}", flush=True)
    return 0 if report.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
