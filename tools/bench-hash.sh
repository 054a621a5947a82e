#!/usr/bin/env bash
# Benchmark of `smelt hash` and `smelt verify` against the I/O floor
# (`cat FILE > /dev/null`) on a generated checkpoint, warm page cache, in one
# run. Prints a table: best wall time of N runs, throughput, peak RSS.
#
#   tools/bench-hash.sh [SIZE_GIB=4] [RUNS=3] [DIR=/tmp/smelt-bench]
#
# Needs /usr/bin/time (Debian package `time`) and free memory for the page
# cache to hold the file (4 GiB by default).
set -euo pipefail
cd "$(dirname "$0")/.."
size_gib=${1:-4}
runs=${2:-3}
dir=${3:-/tmp/smelt-bench}
file="$dir/model.safetensors"

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
swift build -c release >/dev/null
smelt=$PWD/.build/release/smelt

# 64 MiB BF16 tensors [16384, 2048], as many as make SIZE_GIB, random data.
tensor_bytes=$((64 << 20))
count=$((size_gib * 16))
expected_size=0
if [ ! -f "$file" ]; then
  mkdir -p "$dir"
  header='{"__metadata__":{"format":"pt"}'
  for ((i = 0; i < count; i++)); do
    header+=$(printf ',"model.layers.%d.weight":{"dtype":"BF16","shape":[16384,2048],"data_offsets":[%d,%d]}' \
      "$i" $((i * tensor_bytes)) $(((i + 1) * tensor_bytes)))
  done
  header+='}'
  while [ $(( ${#header} % 8 )) -ne 0 ]; do header+=' '; done
  length=${#header}
  le=""
  for ((b = 0; b < 8; b++)); do le+=$(printf '\\x%02x' $(((length >> (8 * b)) & 255))); done
  { printf "$le"; printf '%s' "$header"; head -c $((count * tensor_bytes)) /dev/urandom; } > "$file.tmp"
  mv "$file.tmp" "$file"
fi
size=$(stat -c %s "$file")

# best_of COMMAND...: prints "seconds max_rss_kib": the fastest wall time of
# $runs runs (bash's microsecond clock) and the largest peak RSS seen.
best_of() {
  local best="" rss="" start end seconds kib
  for ((r = 0; r < runs; r++)); do
    start=$EPOCHREALTIME
    kib=$( { /usr/bin/time -f "%M" "$@" > /dev/null; } 2>&1 | tail -n 1)
    end=$EPOCHREALTIME
    seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
    if [ -z "$best" ] || awk -v a="$seconds" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$seconds; fi
    if [ -z "$rss" ] || [ "$kib" -gt "$rss" ]; then rss=$kib; fi
  done
  echo "$best $rss"
}

cat "$file" > /dev/null; cat "$file" > /dev/null   # warm the page cache

read -r cat_s cat_rss < <(best_of cat "$file")
read -r hash_s hash_rss < <(best_of "$smelt" hash "$file")
read -r verify_s verify_rss < <(best_of "$smelt" verify "$file")
read -r one_s one_rss < <(best_of taskset -c 0 "$smelt" hash "$file")

row() { # name seconds rss
  awk -v n="$1" -v s="$2" -v k="$3" -v size="$size" -v floor="$cat_s" 'BEGIN {
    printf "| %-32s | %7.3f | %9.2f | %8.1f%% | %9.1f |\n", n, s, size / s / 1e9, 100 * floor / s, k / 1024 }'
}
echo "file: $file ($size bytes), best of $runs runs, warm page cache, $(nproc) cores"
echo "| command                          | seconds | GB/s      | of floor  | RSS MiB   |"
echo "|----------------------------------|---------|-----------|-----------|-----------|"
row "cat FILE > /dev/null (floor)" "$cat_s" "$cat_rss"
row "smelt hash FILE" "$hash_s" "$hash_rss"
row "smelt verify FILE" "$verify_s" "$verify_rss"
row "smelt hash FILE (one core)" "$one_s" "$one_rss"
