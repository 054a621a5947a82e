#!/usr/bin/env python3
"""Creates the tiny random-weight models under Fixtures/model/tiny-* and
records transformers' Float32 eager outputs on a few id sequences.

Each model uses the committed byte-level BPE tokenizer (Fixtures/tokenize/bytebpe,
1,500 tokens), so `smelt score` runs on it end to end. References per sequence
and position: the gold next-token log-prob, the log-sum-exp of the logits
(Float64) and the top-5 ids and log-probs.

Run with the project's venv (torch + transformers 5):
    source ~/.cache/smelt/venv/bin/activate
    python tools/make_tiny_model_references.py
"""
import json
import os
import shutil

import torch
import transformers

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Fixtures", "model")
TOKENIZER = os.path.join(ROOT, "Fixtures", "tokenize", "bytebpe", "tokenizer.json")
VOCAB = 1500
TOP_K = 5

COMMON = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=3,
              num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
              bos_token_id=1, eos_token_id=2, pad_token_id=None)

MODELS = {
    "tiny-llama": (transformers.LlamaConfig, transformers.LlamaForCausalLM, dict(
        COMMON, tie_word_embeddings=True, rms_norm_eps=1e-5,
        rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0,
                         "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 32}), torch.float32),
    "tiny-llama-bf16": (transformers.LlamaConfig, transformers.LlamaForCausalLM, dict(
        COMMON, tie_word_embeddings=False, rms_norm_eps=1e-6,
        rope_parameters={"rope_type": "linear", "rope_theta": 500.0, "factor": 2.0}), torch.bfloat16),
    "tiny-qwen2": (transformers.Qwen2Config, transformers.Qwen2ForCausalLM, dict(
        COMMON, tie_word_embeddings=False, rms_norm_eps=1e-6,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}), torch.float32),
    "tiny-gemma3": (transformers.Gemma3TextConfig, transformers.Gemma3ForCausalLM, dict(
        COMMON, head_dim=16, tie_word_embeddings=True, rms_norm_eps=1e-6, query_pre_attn_scalar=24,
        sliding_window=16, layer_types=["sliding_attention", "full_attention", "sliding_attention"],
        hidden_activation="gelu_pytorch_tanh",
        rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 1000000.0},
                         "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}}), torch.float32),
}


def sequences():
    generator = torch.Generator().manual_seed(7)
    lengths = [1, 2, 9, 40, 70]  # 40 and 70 exceed Gemma's 16-token window
    return [[1] + torch.randint(3, VOCAB, (n - 1,), generator=generator).tolist() for n in lengths]


def reference(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    logsumexp = torch.logsumexp(logits, dim=-1)
    logprobs = logits - logsumexp[:, None]
    top = torch.topk(logprobs, TOP_K, dim=-1)
    gold = [logprobs[i, ids[i + 1]].item() for i in range(len(ids) - 1)]
    return {"ids": ids, "gold_logprob": gold, "logsumexp": logsumexp.tolist(),
            "top_ids": top.indices.tolist(), "top_logprobs": top.values.tolist()}


def main():
    torch.manual_seed(0)
    for name, (config_class, model_class, settings, dtype) in MODELS.items():
        config = config_class(**settings)
        model = model_class(config)
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.normal_(0.0, 0.15)
        folder = os.path.join(OUT, name)
        shutil.rmtree(folder, ignore_errors=True)
        model.to(dtype).save_pretrained(folder)
        shutil.copy(TOKENIZER, os.path.join(folder, "tokenizer.json"))
        for extra in ["generation_config.json"]:
            path = os.path.join(folder, extra)
            if os.path.exists(path):
                os.remove(path)
        loaded = model_class.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
        records = [reference(loaded, ids) for ids in sequences()]
        with open(os.path.join(OUT, name + ".references.jsonl"), "w") as file:
            for record in records:
                file.write(json.dumps(record) + "\n")
        print(name, sum(p.numel() for p in model.parameters()), "parameters")


if __name__ == "__main__":
    main()
