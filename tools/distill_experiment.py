#!/usr/bin/env python3
"""Data, cross-check and table of the distillation experiment (tools/distill-experiment.sh).

    python3 tools/distill_experiment.py data OUT_DIR LANGS FT_LANGS TRAIN_TEMPLATES TEST_TEMPLATES
        Writes the GSM-symbolic templates (tools/evolve_experiment.py
        template_records: one chat record per template, user = question,
        assistant = worked answer) split by template, so that no template
        is in both train and test, whatever the language:
          train.jsonl     templates 0 .. TRAIN_TEMPLATES-1 in LANGS
          test.jsonl      the last TEST_TEMPLATES templates (of 100) in LANGS
          train-ft.jsonl  templates 0 .. TRAIN_TEMPLATES-1 in FT_LANGS (the
                          SFT teacher's data: the train templates, in
                          languages the student does not train on)
        LANGS and FT_LANGS are comma-separated folder names of the wheel
        (eng, fra, ...). The train files are shuffled (seed 0) so each step
        mixes languages and templates; test is in template order.
    python3 tools/distill_experiment.py crosscheck MODEL SCORES.jsonl TEST.jsonl THREADS
        Scores MODEL (a Hugging Face folder) with transformers in Float32
        (eager attention, batch 1) on the token ids and loss masks that
        `smelt score --json` wrote in SCORES.jsonl, and checks that
        transformers' own chat template gives the same ids for TEST.jsonl.
        Prints one JSON line: transformers' and smelt's mean NLL over all
        loss positions, their difference, the largest per-record
        difference, and how many records tokenise identically.
    python3 tools/distill_experiment.py table DIR ROW...
        Prints the markdown table of the runs. ROW is NAME:STEPS:LR: for a
        trained run DIR/NAME/train-log.csv, DIR/NAME.time (/usr/bin/time
        -v) and DIR/NAME.score.jsonl are read; STEPS 0 is the untrained
        student (only its score). Training tokens/s is the mean of
        train-log.csv's tokens_per_second over every step but the first
        (its warm-up), or the first when there is only one.

Standard library only, except crosscheck (torch, transformers).
"""
import csv
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evolve_experiment import template_records  # noqa: E402


def write_jsonl(path, rows):
    staging = path + ".partial"
    with open(staging, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(staging, path)


def data(out_dir, langs, ft_langs, train_templates, test_templates):
    langs, ft_langs = langs.split(","), ft_langs.split(",")
    train_templates, test_templates = int(train_templates), int(test_templates)
    if train_templates < 1 or test_templates < 1 or train_templates + test_templates > 100:
        sys.exit("distill_experiment: TRAIN_TEMPLATES + TEST_TEMPLATES must be at most 100, each at least 1")
    if set(langs) & set(ft_langs):
        sys.exit(f"distill_experiment: LANGS and FT_LANGS share {sorted(set(langs) & set(ft_langs))}")
    by_lang = {lang: template_records(lang) for lang in langs + ft_langs}
    train = [row for lang in langs for row in by_lang[lang][:train_templates]]
    train_ft = [row for lang in ft_langs for row in by_lang[lang][:train_templates]]
    test = [row for index in range(100 - test_templates, 100) for row in (by_lang[lang][index] for lang in langs)]
    random.Random(0).shuffle(train)
    random.Random(0).shuffle(train_ft)
    os.makedirs(out_dir, exist_ok=True)
    write_jsonl(os.path.join(out_dir, "train-ft.jsonl"), train_ft)
    write_jsonl(os.path.join(out_dir, "test.jsonl"), test)
    write_jsonl(os.path.join(out_dir, "train.jsonl"), train)  # last: the driver's "data done" mark


def read_scores(path):
    records, summary = [], None
    for line in open(path, encoding="utf-8"):
        row = json.loads(line)
        if "summary" in row:
            summary = row["summary"]
        else:
            records.append(row)
    if summary is None:
        sys.exit(f"distill_experiment: {path} has no summary line (an unfinished smelt score?)")
    return records, summary


def crosscheck(model_dir, scores, test, threads):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(int(threads))
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    records, summary = read_scores(scores)
    chats = [json.loads(line)["messages"] for line in open(test, encoding="utf-8")]
    same_ids = 0
    total_nll, total_positions, worst = 0.0, 0, 0.0
    with torch.inference_mode():
        for record, messages in zip(records, chats, strict=True):
            ids = record["ids"]
            ours = tokenizer.apply_chat_template(messages, tokenize=True)
            ours = ours["input_ids"] if hasattr(ours, "input_ids") or isinstance(ours, dict) else ours
            same_ids += list(ours) == ids
            logits = model(torch.tensor([ids])).logits[0, :-1].float()
            nll = -torch.log_softmax(logits, dim=-1).gather(1, torch.tensor(ids[1:])[:, None])[:, 0]
            mask = torch.tensor(record["loss_mask"], dtype=torch.bool)
            record_sum = float(nll[mask].sum())
            positions = int(mask.sum())
            total_nll += record_sum
            total_positions += positions
            worst = max(worst, abs(record_sum / positions - record["mean_nll"]))
    mean = total_nll / total_positions
    print(json.dumps({
        "transformers_mean_nll": mean, "smelt_mean_nll": summary["mean_nll"],
        "difference": mean - summary["mean_nll"], "max_record_difference": worst,
        "loss_positions": total_positions, "smelt_loss_tokens": summary["loss_tokens"],
        "records": len(records), "same_ids": same_ids,
    }))


def table(folder, rows):
    print("| run | steps | lr | train tokens/s | peak RSS MiB | test NLL | test ppl |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        name, steps, lr = row.split(":")
        _, summary = read_scores(os.path.join(folder, name + ".score.jsonl"))
        rate = rss = "—"
        if steps != "0":
            with open(os.path.join(folder, name, "train-log.csv"), newline="") as f:
                rates = [float(step["tokens_per_second"]) for step in csv.DictReader(f)]
            kept = rates[1:] or rates
            rate = f"{sum(kept) / len(kept):.0f}"
            for line in open(os.path.join(folder, name + ".time")):
                if "Maximum resident set size" in line:
                    rss = f"{int(line.split(':')[1]) / 1024:.0f}"
        else:
            steps = lr = "—"
        nll = summary["mean_nll"]
        print(f"| {name} | {steps} | {lr} | {rate} | {rss} | {nll:.4f} | {math.exp(nll):.3f} |")


def main(argv):
    if len(argv) == 6 and argv[0] == "data":
        data(*argv[1:])
    elif len(argv) == 5 and argv[0] == "crosscheck":
        crosscheck(*argv[1:])
    elif len(argv) >= 3 and argv[0] == "table":
        table(argv[1], argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
