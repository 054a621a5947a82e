#!/usr/bin/env bash
# The main job on the bundled fixtures: installs what is missing, builds
# release, merges the fixture models with TIES (a real merge, printed),
# verifies the result, shows that re-running it is a no-op, and shows
# `verify` catching a damaged checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
swift build -c release 2>&1 | tail -n 1
smelt=$PWD/.build/release/smelt
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo
echo "\$ cat Fixtures/recipes/ties.yml"
cat Fixtures/recipes/ties.yml
echo
echo "\$ smelt merge Fixtures/recipes/ties.yml merged --dry-run"
"$smelt" merge Fixtures/recipes/ties.yml "$scratch/merged" --dry-run
echo
echo "\$ smelt merge Fixtures/recipes/ties.yml merged"
"$smelt" merge Fixtures/recipes/ties.yml "$scratch/merged"
echo
echo "\$ ls merged"
ls "$scratch/merged"
echo
echo "\$ smelt inspect merged | head -n 8"
"$smelt" inspect "$scratch/merged" | head -n 8
echo
echo "\$ smelt verify merged --inputs"
"$smelt" verify "$scratch/merged" --inputs
echo
echo "\$ smelt merge Fixtures/recipes/ties.yml merged   # again: nothing to do"
"$smelt" merge Fixtures/recipes/ties.yml "$scratch/merged"

# A damaged copy: the merged shard cut short by 1000 bytes must be caught (exit 1).
cp -r "$scratch/merged" "$scratch/damaged"
truncate -s -1000 "$scratch/damaged/model.safetensors"
echo
echo "\$ smelt verify damaged   # model.safetensors truncated by 1000 bytes"
status=0
"$smelt" verify "$scratch/damaged" || status=$?
echo "exit status $status"
[ "$status" -eq 1 ]

# Tokenizing data records as a model sees them: a chat rendered with a chat
# template, the tokens of the assistant's answer and of a completion counted
# in the loss.
printf '%s\n' '{"id": "chat", "messages": [{"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "It is 4."}]}' \
    '{"id": "pc", "prompt": "Capital of France?", "completion": " Paris."}' > "$scratch/records.jsonl"
echo
echo "\$ smelt tokenize Fixtures/tokenize/minilm \"Smelt merges models.\""
"$smelt" tokenize Fixtures/tokenize/minilm "Smelt merges models."
echo
echo "\$ smelt tokenize Fixtures/tokenize/minilm --input records.jsonl --chat-template Fixtures/tokenize/chat/templates/smollm2.jinja"
"$smelt" tokenize Fixtures/tokenize/minilm --input "$scratch/records.jsonl" \
    --chat-template Fixtures/tokenize/chat/templates/smollm2.jinja

# Scoring the records with a (tiny, random) model, then keeping its
# next-token distributions in a logit cache, split in two shards and joined
# into the bytes of a single run.
echo
echo "\$ smelt score Fixtures/model/tiny-gemma3 records.jsonl --chat-template Fixtures/tokenize/chat/templates/google-gemma-3-it.jinja"
"$smelt" score Fixtures/model/tiny-gemma3 "$scratch/records.jsonl" --quiet \
    --chat-template Fixtures/tokenize/chat/templates/google-gemma-3-it.jinja
for shard in 0 1; do
    echo
    echo "\$ smelt logits Fixtures/model/tiny-gemma3 records.jsonl part-$shard --shard $shard/2 --chat-template …"
    "$smelt" logits Fixtures/model/tiny-gemma3 "$scratch/records.jsonl" "$scratch/part-$shard" --shard "$shard/2" \
        --quiet --chat-template Fixtures/tokenize/chat/templates/google-gemma-3-it.jinja
done
echo
echo "\$ smelt cache join teacher.cache part-0 part-1 && smelt cache verify teacher.cache"
"$smelt" cache join "$scratch/teacher.cache" "$scratch/part-0" "$scratch/part-1"
"$smelt" cache verify "$scratch/teacher.cache"

# Distilling the teacher's cached distributions into a student of the same
# vocabulary (tiny-llama shares tiny-gemma3's tokenizer), then scoring it.
echo
echo "\$ smelt distill Fixtures/model/tiny-llama records.jsonl distilled --targets teacher.cache --steps 4 --lr 1e-3 …"
"$smelt" distill Fixtures/model/tiny-llama "$scratch/records.jsonl" "$scratch/distilled" \
    --targets "$scratch/teacher.cache" --steps 4 --lr 1e-3 --quiet \
    --chat-template Fixtures/tokenize/chat/templates/google-gemma-3-it.jinja
"$smelt" score "$scratch/distilled" "$scratch/records.jsonl" --quiet \
    --chat-template Fixtures/tokenize/chat/templates/google-gemma-3-it.jinja
