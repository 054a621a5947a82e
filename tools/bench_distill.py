"""PyTorch's CPU training of the same student, steps and batch as `smelt distill`.

Usage: bench_distill.py STUDENT DATA.jsonl STEPS BATCH_TOKENS THREADS [LORA_RANK]

Full fine-tuning, or with LORA_RANK PEFT's LoRA (alpha 2·rank, no dropout,
on q/k/v/o and the MLP projections, as `smelt distill --lora-rank`), in
Float32 (eager attention), supervised (cross-entropy of
the gold tokens over the assistant positions), AdamW (0.9, 0.95, weight
decay 0.1), records in file order grouped into steps of whole records up
to about BATCH_TOKENS tokens, each record its own sequence (no padding),
as `smelt distill` groups them. Chats are rendered with the student's chat
template by transformers. Prints one JSON line: tokens, seconds (the
training steps only, after a warm-up step that is not counted) and
tokens per second.
"""
import json
import sys
import time

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def main(argv):
    if len(argv) not in (6, 7) or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 64
    student, data, steps, batch_tokens, threads = argv[1], argv[2], int(argv[3]), int(argv[4]), int(argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(student)
    model = AutoModelForCausalLM.from_pretrained(student, dtype=torch.float32, attn_implementation="eager")
    if len(argv) == 7:
        from peft import LoraConfig, get_peft_model

        rank = int(argv[6])
        model = get_peft_model(model, LoraConfig(
            r=rank, lora_alpha=2 * rank, lora_dropout=0.0, bias="none", task_type="CAUSAL_LM",
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    model.train()
    records = []
    for line in open(data, encoding="utf-8"):
        messages = json.loads(line)["messages"]
        prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=True, add_generation_prompt=True)
        full = tokenizer.apply_chat_template(messages, tokenize=True)
        if hasattr(full, "input_ids"):
            prompt, full = prompt["input_ids"], full["input_ids"]
        mask = [False] * (len(prompt) - 1) + [True] * (len(full) - len(prompt))
        records.append((torch.tensor([full]), torch.tensor(mask[: len(full) - 1])))
    groups, current, count = [], [], 0
    for record in records:
        if current and count + record[0].shape[1] > batch_tokens:
            groups.append(current)
            current, count = [], 0
        current.append(record)
        count += record[0].shape[1]
    if current:
        groups.append(current)
    trained = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trained, lr=1e-5, betas=(0.9, 0.95), weight_decay=0.1)

    def step(group):
        optimizer.zero_grad()
        positions = sum(int(mask.sum()) for _, mask in group)
        for ids, mask in group:
            logits = model(ids).logits[0, :-1]
            loss = torch.nn.functional.cross_entropy(logits[mask], ids[0, 1:][mask], reduction="sum") / positions
            loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        optimizer.step()
        return sum(ids.shape[1] for ids, _ in group)

    step(groups[0])  # warm-up, not counted
    tokens, start = 0, time.perf_counter()
    for index in range(steps):
        tokens += step(groups[(index + 1) % len(groups)])
    seconds = time.perf_counter() - start
    print(json.dumps({"tokens": tokens, "seconds": seconds, "tokens_per_second": tokens / seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
