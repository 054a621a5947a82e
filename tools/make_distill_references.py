#!/usr/bin/env python3
"""Reference losses and gradients for Smelt's distillation backward pass.

For two tiny random Float32 models (transformers LlamaForCausalLM with tied
embeddings, Qwen2ForCausalLM untied with q/k/v biases; eager attention) and
one seeded input case, writes the loss, the gradients of every parameter,
LoRA adapter gradients and the parameters after one AdamW step.

Loss (Smelt's definition). Each record (ids of length n, loss_mask of n-1
booleans, position i predicting ids[i+1]) runs through the model on its own:
batch of 1, no padding, positions 0..n-1. With P = the number of positions
whose mask is true, over all records together:

    CE     = (1/P) sum_records sum_{i: mask[i]} -log softmax(logits_i)[ids[i+1]]
    FUSION = (1/P) sum_records sum_{i: mask[i]} -sum_k p_ik log softmax(logits_i)[t_ik]
             with p_ik = exp(logprob_ik) / sum_k' exp(logprob_ik')   (FuseLLM's
             renormalised top-K loss; t_ik, logprob_ik from case.json)
    L      = lambda CE + (1 - lambda) FUSION,   lambda = 0.9 (case.json)

The model runs in Float32; the log-softmax and the sums above are taken in
Float64 from the Float32 logits (so losses.json is exact to the logits), and
the gradient flows back into Float32 at the logits.

Output, under --out (default Fixtures/distill/gradients), see README.md there:

    case.json                     the inputs, shared by both architectures
    <arch>/config.json, model.safetensors   the model (save_pretrained, F32)
    <arch>/losses.json            {"ce", "fusion", "total"} of the base model
    <arch>/gradients-ce.safetensors, gradients-fusion.safetensors,
    <arch>/gradients.safetensors  dCE, dFUSION, dL for every parameter
    <arch>/lora.safetensors, lora-gradients.safetensors, lora-losses.json
    <arch>/adamw-step.safetensors every parameter after one AdamW step on dL

Deterministic (fixed seeds, torch.use_deterministic_algorithms, one thread):
a re-run gives byte-identical files. Run from anywhere:

    ~/.cache/smelt/venv/bin/python tools/make_distill_references.py
"""
import argparse
import json
import os
import shutil

import torch
import transformers
from safetensors.torch import save_file

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFAULT_OUT = os.path.join("Fixtures", "distill", "gradients")
COMMAND = "~/.cache/smelt/venv/bin/python tools/make_distill_references.py"

VOCAB = 97
LENGTHS = [9, 14, 20]
K = 5
LAMBDA = 0.9
LORA = {"rank": 4, "alpha": 8,
        "modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]}
ADAMW = {"lr": 0.001, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.1}
INIT_STD = 0.1

COMMON = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
              num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
              rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
              rms_norm_eps=1e-6, hidden_act="silu", attention_dropout=0.0,
              bos_token_id=1, eos_token_id=2, pad_token_id=None, attn_implementation="eager")

ARCHS = {
    "llama": (transformers.LlamaConfig, transformers.LlamaForCausalLM,
              dict(COMMON, tie_word_embeddings=True), 1),
    "qwen2": (transformers.Qwen2Config, transformers.Qwen2ForCausalLM,
              dict(COMMON, tie_word_embeddings=False), 2),
}


# ---------------------------------------------------------------- inputs

def make_case():
    g = torch.Generator().manual_seed(20240611)
    records = []
    for r, n in enumerate(LENGTHS):
        ids = torch.randint(0, VOCAB, (n,), generator=g).tolist()
        positions = n - 1
        mask = [True] * positions
        if r == 0:                       # a prompt: first third excluded
            mask[:positions // 3] = [False] * (positions // 3)
        elif r == 1:                     # a prompt plus one excluded position in the middle
            mask[:positions // 3] = [False] * (positions // 3)
            mask[9] = False
        # r == 2: every position counts
        targets = []
        for _ in range(positions):
            tids = torch.randperm(VOCAB, generator=g)[:K]
            logits = torch.randn(K, generator=g, dtype=torch.float64) * 2.0
            logprobs = torch.log_softmax(logits, dim=0)
            order = torch.argsort(logprobs, descending=True, stable=True)
            targets.append({"ids": tids[order].tolist(), "logprobs": logprobs[order].tolist()})
        records.append({"ids": ids, "loss_mask": mask, "targets": targets})
    return {"records": records, "k": K, "lambda": LAMBDA, "lora": LORA, "adamw": ADAMW}


# ---------------------------------------------------------------- loss

def losses(model, case, dtype=torch.float32):
    """(CE, FUSION) as Float64 scalars with graphs, per Smelt's definition."""
    ce_sum = fusion_sum = 0.0
    count = 0
    for record in case["records"]:
        ids = torch.tensor([record["ids"]])
        logits = model(input_ids=ids, position_ids=torch.arange(ids.shape[1])[None]).logits[0]
        logp = torch.log_softmax(logits.double(), dim=-1)
        for i, keep in enumerate(record["loss_mask"]):
            if not keep:
                continue
            count += 1
            ce_sum = ce_sum - logp[i, record["ids"][i + 1]]
            t = record["targets"][i]
            p = torch.tensor(t["logprobs"], dtype=torch.float64).exp()
            p = p / p.sum()
            fusion_sum = fusion_sum - (p * logp[i, t["ids"]]).sum()
    return ce_sum / count, fusion_sum / count


def losses_independent(model, case):
    """The same two losses by torch.nn.functional.cross_entropy on the
    concatenated positions: hard labels with ignore_index for CE, dense soft
    labels (the renormalised top-K scattered into the vocabulary) for FUSION."""
    all_logits, labels, soft, keep = [], [], [], []
    for record in case["records"]:
        ids = torch.tensor([record["ids"]])
        all_logits.append(model(input_ids=ids).logits[0, :-1].double())
        for i, m in enumerate(record["loss_mask"]):
            labels.append(record["ids"][i + 1] if m else -100)
            t = record["targets"][i]
            row = torch.zeros(VOCAB, dtype=torch.float64)
            row[t["ids"]] = torch.softmax(torch.tensor(t["logprobs"], dtype=torch.float64), 0)
            soft.append(row)
            keep.append(m)
    logits = torch.cat(all_logits)
    ce = torch.nn.functional.cross_entropy(logits, torch.tensor(labels), ignore_index=-100)
    keep = torch.tensor(keep)
    fusion = torch.nn.functional.cross_entropy(logits[keep], torch.stack(soft)[keep])
    return ce.item(), fusion.item()


def gradients(model, loss):
    model.zero_grad(set_to_none=True)
    loss.backward()
    return {name: p.grad.detach().clone() for name, p in model.named_parameters() if p.requires_grad}


# ---------------------------------------------------------------- model

def build(arch, folder):
    config_class, model_class, settings, seed = ARCHS[arch]
    config = config_class(**settings)
    model = model_class(config)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            values = torch.randn(p.shape, generator=g, dtype=torch.float32) * INIT_STD
            if name.endswith("norm.weight"):
                values += 1.0            # RMSNorm gains near 1, not near 0
            p.copy_(values)
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder, safe_serialization=True)
    generation = os.path.join(folder, "generation_config.json")
    if os.path.exists(generation):
        os.remove(generation)
    # Everything below uses the model as read back from the committed files.
    loaded = model_class.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager")
    return loaded.eval()


class LoraLinear(torch.nn.Module):
    """y = W x (+ b) + (alpha / rank) * B (A x); W, b frozen."""

    def __init__(self, base, rank, alpha, g):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.lora_A = torch.nn.Linear(base.in_features, rank, bias=False)
        self.lora_B = torch.nn.Linear(rank, base.out_features, bias=False)
        with torch.no_grad():
            self.lora_A.weight.copy_(torch.randn(self.lora_A.weight.shape, generator=g) * INIT_STD)
            self.lora_B.weight.copy_(torch.randn(self.lora_B.weight.shape, generator=g) * INIT_STD)

    def forward(self, x):
        return self.base(x) + self.scale * self.lora_B(self.lora_A(x))

    def merged(self):
        return self.base.weight + self.scale * self.lora_B.weight @ self.lora_A.weight


def lora_modules(model):
    """(adapter name prefix, parent module, attribute) in layer, then LORA order."""
    out = []
    for l, layer in enumerate(model.model.layers):
        for m in LORA["modules"]:
            parent, kind = (layer.self_attn, "self_attn") if hasattr(layer.self_attn, m) else (layer.mlp, "mlp")
            out.append((f"model.layers.{l}.{kind}.{m}", parent, m))
    return out


def add_lora(model, seed):
    for p in model.parameters():
        p.requires_grad_(False)
    g = torch.Generator().manual_seed(seed)
    adapters = {}
    for prefix, parent, attr in lora_modules(model):
        wrapped = LoraLinear(getattr(parent, attr), LORA["rank"], LORA["alpha"], g)
        setattr(parent, attr, wrapped)
        adapters[prefix] = wrapped
    return adapters


# ---------------------------------------------------------------- output

def write_tensors(path, tensors):
    save_file({k: v.detach().to(torch.float32).contiguous() for k, v in sorted(tensors.items())},
              path, metadata={"format": "pt"})


def write_json(path, value, indent=None):
    with open(path, "w") as f:
        f.write(json.dumps(value, indent=indent) + "\n")


def max_abs(tensors):
    return max(t.abs().max().item() for t in tensors.values())


def relative_error(a, b):
    """max |a - b| / max |b| over a dict of tensors."""
    return max((a[k].double() - b[k].double()).abs().max().item() for k in b) / max_abs(b)


def run_arch(arch, case, out):
    folder = os.path.join(out, arch)
    model = build(arch, folder)
    names = [n for n, _ in model.named_parameters()]

    ce, fusion = losses(model, case)
    total = LAMBDA * ce + (1 - LAMBDA) * fusion
    values = {"ce": ce.item(), "fusion": fusion.item(), "total": total.item()}
    write_json(os.path.join(folder, "losses.json"), values)

    ce2, fusion2 = losses_independent(model, case)
    assert abs(ce2 - values["ce"]) < 1e-12 * max(1, abs(ce2)), (ce2, values["ce"])
    assert abs(fusion2 - values["fusion"]) < 1e-12 * max(1, abs(fusion2)), (fusion2, values["fusion"])

    grads = {}
    for label, lam in [("gradients-ce", 1.0), ("gradients-fusion", 0.0), ("gradients", LAMBDA)]:
        ce, fusion = losses(model, case)
        loss = ce if lam == 1.0 else fusion if lam == 0.0 else lam * ce + (1 - lam) * fusion
        grads[label] = gradients(model, loss)
        assert list(grads[label]) == names
        write_tensors(os.path.join(folder, label + ".safetensors"), grads[label])
    combo = {k: LAMBDA * grads["gradients-ce"][k] + (1 - LAMBDA) * grads["gradients-fusion"][k] for k in names}
    combo_error = relative_error(combo, grads["gradients"])

    # Float64 twin: how far the Float32 gradients are from exact.
    twin = type(model).from_pretrained(folder, dtype=torch.float64, attn_implementation="eager").eval()
    ce64, fusion64 = losses(twin, case)
    g64 = gradients(twin, LAMBDA * ce64 + (1 - LAMBDA) * fusion64)
    f32_error = relative_error(grads["gradients"], g64)
    loss64_error = abs((LAMBDA * ce64 + (1 - LAMBDA) * fusion64).item() - values["total"])

    # AdamW: one step on dL from the initial weights, every parameter.
    start = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer = torch.optim.AdamW(model.parameters(), lr=ADAMW["lr"], betas=tuple(ADAMW["betas"]),
                                  eps=ADAMW["eps"], weight_decay=ADAMW["weight_decay"], foreach=False)
    model.zero_grad(set_to_none=True)
    for n, p in model.named_parameters():
        p.grad = grads["gradients"][n].clone()
    optimizer.step()
    stepped = {n: p.detach().clone() for n, p in model.named_parameters()}
    write_tensors(os.path.join(folder, "adamw-step.safetensors"), stepped)
    # closed form of the first step: w (1 - lr wd) - lr g / (|g| + eps)
    expect = {n: start[n] * (1 - ADAMW["lr"] * ADAMW["weight_decay"])
              - ADAMW["lr"] * grads["gradients"][n] / (grads["gradients"][n].abs() + ADAMW["eps"]) for n in names}
    adamw_error = max((expect[n] - stepped[n]).abs().max().item() for n in names)
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(start[n])
    zero_grad_elements = sum(int((g == 0).sum()) for g in grads["gradients"].values())

    # LoRA on the (restored) initial weights.
    adapters = add_lora(model, seed=100 + ARCHS[arch][3])
    lora = {}
    for prefix, m in adapters.items():
        lora[prefix + ".lora_A.weight"] = m.lora_A.weight
        lora[prefix + ".lora_B.weight"] = m.lora_B.weight
    write_tensors(os.path.join(folder, "lora.safetensors"), lora)
    ce, fusion = losses(model, case)
    loss = LAMBDA * ce + (1 - LAMBDA) * fusion
    write_json(os.path.join(folder, "lora-losses.json"),
               {"ce": ce.item(), "fusion": fusion.item(), "total": loss.item()})
    model.zero_grad(set_to_none=True)
    loss.backward()
    lora_grads = {k: v.grad.detach().clone() for k, v in lora.items()}
    write_tensors(os.path.join(folder, "lora-gradients.safetensors"), lora_grads)

    # Check: the gradient G of the merged weight W + s B A gives dB = s G A^T, dA = s B^T G.
    merged = type(model).from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
    with torch.no_grad():
        for prefix, m in adapters.items():
            merged.get_parameter(prefix + ".weight").copy_(m.merged())
    ce, fusion = losses(merged, case)
    gm = gradients(merged, LAMBDA * ce + (1 - LAMBDA) * fusion)
    derived = {}
    for prefix, m in adapters.items():
        G = gm[prefix + ".weight"]
        derived[prefix + ".lora_A.weight"] = m.scale * m.lora_B.weight.T @ G
        derived[prefix + ".lora_B.weight"] = m.scale * G @ m.lora_A.weight.T
    lora_error = relative_error(derived, lora_grads)

    print(f"{arch}: {len(names)} tensors, {sum(p.numel() for p in model.parameters()) - sum(v.numel() for v in lora.values())} parameters, "
          f"{len(lora)} LoRA tensors ({sum(v.numel() for v in lora.values())} elements)")
    print(f"  losses {values}")
    print(f"  independent F.cross_entropy: ce {ce2!r} fusion {fusion2!r}")
    print(f"  float64 twin: |total32 - total64| = {loss64_error:.3g}, gradient rel. error of F32 = {f32_error:.3g}")
    print(f"  0.9 dCE + 0.1 dFUSION vs dL: rel. error {combo_error:.3g}")
    print(f"  LoRA grads vs merged-weight derivation: rel. error {lora_error:.3g}; lora losses total {loss.item()!r}")
    print(f"  AdamW vs closed form: max abs diff {adamw_error:.3g}; exactly-zero dL elements {zero_grad_elements}")
    for label, g in list(grads.items()) + [("lora-gradients", lora_grads)]:
        smallest = min(t.abs()[t != 0].min().item() for t in g.values() if (t != 0).any())
        print(f"  {label}.safetensors: max |g| {max_abs(g):.4g}, min nonzero |g| {smallest:.3g}")
    assert combo_error < 1e-5 and f32_error < 1e-3 and lora_error < 1e-4 and adamw_error < 1e-6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Writes the files listed in Fixtures/distill/gradients/README.md.")
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help=f"output folder, relative to the repository root (default {DEFAULT_OUT})")
    args = parser.parse_args()
    out = os.path.join(ROOT, args.out)

    transformers.utils.logging.disable_progress_bar()
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(out, exist_ok=True)
    case = make_case()
    write_json(os.path.join(out, "case.json"), case)
    for arch in ARCHS:
        run_arch(arch, case, out)


if __name__ == "__main__":
    main()
