#!/usr/bin/env bash
# Compares two smelt binaries: every fixture recipe and the benchmark trio
# merged by both must give the same bytes, and the trio's merges are timed
# in alternating order (A B, then B A, ...) so that drift on a noisy machine
# falls on both sides.
#
#   tools/compare-builds.sh OLD_SMELT NEW_SMELT [ROUNDS=3] [TRIO_DIR=/tmp/smelt-bench-merge]
#
# The trio is the one tools/bench-merge.sh generates (run it once first);
# without it only the fixtures are compared. Prints each fixture that
# differs, then a table of the trio's methods: manifests identical or not,
# and the median wall time of each binary. Exit 1 when any output differs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 OLD_SMELT NEW_SMELT [ROUNDS=3] [TRIO_DIR]" >&2; exit 64; }
old=$1 new=$2 rounds=${3:-3} trio=${4:-/tmp/smelt-bench-merge}
work=$(mktemp -d /tmp/smelt-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
differ=0

same=0
for recipe in Fixtures/recipes/*.yml; do
  name=$(basename "$recipe" .yml)
  for side in old new; do
    binary=$old; [ $side = new ] && binary=$new
    status=0
    "$binary" merge "$recipe" "$work/$side-$name" --quiet --memory-budget 64M > /dev/null 2>&1 || status=$?
    echo $status > "$work/$side-$name.status"
  done
  if cmp -s "$work/old-$name.status" "$work/new-$name.status" \
    && diff -r -x smelt-run.json "$work/old-$name" "$work/new-$name" > /dev/null 2>&1; then
    same=$((same + 1))
  else
    echo "fixture $name: outputs differ"; differ=1
  fi
  rm -rf "$work/old-$name" "$work/new-$name"
done
echo "fixtures: $same of $(ls Fixtures/recipes/*.yml | wc -l) recipes give identical folders"

[ -d "$trio/recipes" ] || { echo "no trio in $trio (run tools/bench-merge.sh first); fixtures only"; exit $differ; }
run() { # binary method side
  rm -rf "$work/out"
  /usr/bin/time -f %e -o "$work/time" "$1" merge "$trio/recipes/$2.yml" "$work/out" --memory-budget 256M --quiet > /dev/null
  cat "$work/time" >> "$work/$3-$2.times"
  cp "$work/out/smelt-manifest.json" "$work/$3-$2.json"
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
methods=(linear ties slerp model_stock sce)
for round in $(seq "$rounds"); do
  for method in "${methods[@]}"; do
    if [ $((round % 2)) = 1 ]; then run "$old" "$method" old; run "$new" "$method" new
    else run "$new" "$method" new; run "$old" "$method" old; fi
  done
done
echo
echo "| method | manifests | old median s | new median s | new / old |"
echo "|---|---|---|---|---|"
for method in "${methods[@]}"; do
  verdict=identical
  cmp -s "$work/old-$method.json" "$work/new-$method.json" || { verdict=DIFFERENT; differ=1; }
  a=$(median "$work/old-$method.times") b=$(median "$work/new-$method.times")
  echo "| $method | $verdict | $a | $b | $(echo "scale=3; $b / $a" | bc -l) |"
done
exit $differ
