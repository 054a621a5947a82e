#!/usr/bin/env bash
# Builds Smelt's libFuzzer targets and runs them one after another
# (README.md, "Fuzzing").
#
# usage: tools/fuzz/run.sh [SECONDS] [TARGET...] [-- LIBFUZZER_FLAG...]
#   SECONDS  total time budget in seconds (default 600)
#   TARGET   header, index, manifest, json, planner, params or gguf. Without
#            any, all run: header (the safetensors reader) gets half the
#            budget and the others share the rest; named targets share it
#            evenly.
#   after -- flags passed to every libFuzzer run, e.g. -seed=1 -max_len=65536,
#            or -fork=1 -ignore_crashes=1 to go on fuzzing after a failure
#
# Environment: FUZZ_SCRATCH (build folder, default /tmp/smelt-fuzz-build),
# FUZZ_LOGS (log folder, default /tmp/smelt-fuzz-logs).
#
# New corpus entries go to tools/fuzz/grown-corpus/<target>/ and crashing
# inputs to tools/fuzz/artifacts/<target>/ (both ignored by git); the seeds
# in tools/fuzz/corpus/<target>/ are only read. Inputs kept in
# tools/fuzz/regressions/<target>-<what> are replayed before fuzzing. Exits 1
# when a target found a crash, leak, timeout or out-of-memory input, or a
# regression input still fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scratch=${FUZZ_SCRATCH:-/tmp/smelt-fuzz-build}
logs=${FUZZ_LOGS:-/tmp/smelt-fuzz-logs}
all_targets=(header index manifest json planner params gguf)

usage() { echo "usage: $0 [SECONDS] [TARGET...] [-- LIBFUZZER_FLAG...]; targets: ${all_targets[*]}" >&2; exit 64; }

seconds=600
if [[ $# -gt 0 && $1 != -- ]]; then
    [[ $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
    seconds=$1
    shift
fi
targets=()
while [[ $# -gt 0 && $1 != -- ]]; do
    [[ " ${all_targets[*]} " == *" $1 "* ]] || usage
    targets+=("$1")
    shift
done
[[ $# -gt 0 ]] && shift # the --
extra_flags=("$@")

# Seconds for each target, in run order.
declare -A budget
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=("${all_targets[@]}")
    budget[header]=$(( seconds / 2 ))
    for target in index manifest json planner params gguf; do budget[$target]=$(( (seconds - seconds / 2) / 6 )); done
else
    for target in "${targets[@]}"; do budget[$target]=$(( seconds / ${#targets[@]} )); done
fi
for target in "${targets[@]}"; do (( budget[$target] >= 1 )) || budget[$target]=1; done

# One -sanitize flag with both values: swiftc keeps only the last of several
# -sanitize= flags, so "-sanitize=fuzzer -sanitize=address" builds without
# coverage instrumentation and libFuzzer mutates blindly.
echo "building into $scratch" >&2
swift build -c release --package-path "$here" --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address >&2
bin_dir=$(swift build -c release --package-path "$here" --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address --show-bin-path)

# Swift's own crash reporter reads the crashed process's memory in a way
# AddressSanitizer reports as a wild read, which buries the real report;
# without it libFuzzer and ASan print the stack trace.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

mkdir -p "$logs"
failed=()
total_units=0
summary=()
for target in "${targets[@]}"; do
    binary="$bin_dir/fuzz-$target"
    # Instrumented code keeps its edge counters in this section; the libFuzzer
    # runtime alone does not have it.
    if [[ $(readelf -S --wide "$binary" | grep -c __sancov_cntrs) -eq 0 ]]; then
        echo "error: $binary has no coverage instrumentation; libFuzzer would run blind" >&2
        exit 70
    fi
    # Inputs that once failed, named regressions/<target>-<what>, run first:
    # while one still fails there is no point fuzzing that target.
    regressions=()
    for file in "$here/regressions/$target"-*; do [[ -f $file ]] && regressions+=("$file"); done
    if [[ ${#regressions[@]} -gt 0 ]]; then
        echo "replaying ${#regressions[@]} regression input(s) for $target" >&2
        if ! "$binary" "${regressions[@]}" > "$logs/$target-regressions.log" 2>&1; then
            grep -E 'Running:|invariant|ERROR|SUMMARY' "$logs/$target-regressions.log" || true
            summary+=("$(printf '%-9s a regression input still fails; not fuzzed (log: %s)' "$target" "$logs/$target-regressions.log")")
            failed+=("$target")
            continue
        fi
    fi
    grown="$here/grown-corpus/$target"
    artifacts="$here/artifacts/$target"
    mkdir -p "$grown" "$artifacts"
    log="$logs/$target-$(date +%Y%m%d-%H%M%S).log"
    echo "fuzzing $target for ${budget[$target]} s; log: $log" >&2
    set +e
    "$binary" \
        -max_total_time="${budget[$target]}" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -dict="$here/smelt.dict" -artifact_prefix="$artifacts/" \
        "${extra_flags[@]}" "$grown" "$here/corpus/$target" > "$log" 2>&1
    status=$?
    set -e
    # Progress and verdict lines only; the per-unit NEW/REDUCE lines stay in the log.
    grep -E 'INITED|pulse|DONE|ERROR|WARNING|SUMMARY|deadly|Test unit written|Base64|^stat::|invariant' "$log" || true
    units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
    # With -fork=N the parent prints no stat:: lines, only progress lines
    # "#UNITS: cov: ... oom/timeout/crash: O/T/C ..."; with -ignore_crashes
    # it exits 0 whatever its jobs found, so those counts decide.
    fork_progress=$(grep -E '^#[0-9]+: cov: ' "$log" | tail -n 1 || true)
    if [[ -z $units && -n $fork_progress ]]; then
        echo "$fork_progress"
        units=$(sed -E 's/^#([0-9]+):.*/\1/' <<< "$fork_progress")
        if [[ $status -eq 0 && ! $fork_progress =~ oom/timeout/crash:\ 0/0/0 ]]; then status=1; fi
    fi
    units=${units:-0}
    total_units=$(( total_units + units ))
    summary+=("$(printf '%-9s %6s s %12s inputs  %-22s exit %s' "$target" "${budget[$target]}" "$units" "${coverage:-cov: ?}" "$status")")
    if [[ $status -ne 0 || $units -eq 0 ]]; then failed+=("$target"); fi
done

echo
printf '%s\n' "${summary[@]}"
echo "total: $total_units inputs executed"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "FAILED: ${failed[*]} (see the logs in $logs and the inputs in $here/artifacts/)" >&2
    exit 1
fi
