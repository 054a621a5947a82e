#!/usr/bin/env bash
# `smelt logits` scaled out over a Slurm cluster: one job-array task per shard,
# then one dependent job that joins the shards into the cache a single run
# would write (the same bytes):
#
#   tools/slurm-logits.sh MODEL DATA.jsonl OUT N [smelt logits options...]
#   tools/slurm-logits.sh smollm2 train.jsonl /shared/smollm2.cache 8 --top-k 10
#
# Submits (sbatch) a job array `--array=0-(N-1)`; task I runs
#   smelt logits MODEL DATA OUT.part-I --shard I/N --threads $SLURM_CPUS_PER_TASK --quiet [options]
# and a job with `--dependency=afterok:<array job id>` (it starts once every
# task has succeeded) runs
#   smelt cache join OUT OUT.part-0 ... OUT.part-(N-1)
# The options (--top-k, --memory-budget, --max-tokens, --chat-template, ...)
# go to every task; --threads and --quiet, when given, replace the defaults.
# Prints the two job ids (`squeue -u $USER` watches them); each job writes its
# log, with `date` stamps at its start and end, to OUT.logs/ (logits-A_I.out,
# join-J.out). The shards stay after the join (remove OUT.part-* by hand).
# Environment:
#   SMELT            the smelt binary (default .build/release/smelt of this
#                    checkout); it, MODEL, DATA and OUT's folder must be at the
#                    same paths on every node (a shared file system)
#   CPUS             --cpus-per-task of each array task (default 1)
#   SBATCH_OPTIONS   more sbatch options for both jobs, split at spaces
#                    (e.g. "--partition=gpu --time=4:00:00 --mem=4G")
# Idempotent: tasks are submitted with --requeue; a requeued or resubmitted
# task resumes its staged shard (`smelt logits` continues where the staged
# records end, and a finished shard is a no-op; a killed task loses the
# records of its forward batch, whose size --memory-budget bounds: with
# SmolLM2 at the default 1G a whole 75-record shard is one batch), and the
# join job does nothing when OUT already exists. Never needed by tests; to
# try it on one machine, tools/slurm-single-node.sh sets up a one-node cluster.
set -euo pipefail

stamp() { echo "$1 $(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) ($(date +%s.%N)) on $(hostname)"; }

case "${1:-}" in
--task)  # inside the array: --task MODEL DATA OUT N [options]
    shift
    model=$1 data=$2 out=$3 n=$4
    shift 4
    i=$SLURM_ARRAY_TASK_ID
    extra=()
    [[ " $* " == *" --threads "* || " $* " == *" --threads="* ]] || extra+=(--threads "${SLURM_CPUS_PER_TASK:-1}")
    [[ " $* " == *" --quiet "* || " $* " == *" --json "* ]] || extra+=(--quiet)
    stamp "start task $i/$n (job $SLURM_JOB_ID, restart count ${SLURM_RESTART_COUNT:-0})"
    "$SMELT" logits "$model" "$data" "$out.part-$i" --shard "$i/$n" "${extra[@]}" "$@"
    stamp "end task $i/$n"
    exit 0
    ;;
--join)  # the dependent job: --join OUT N
    out=$2 n=$3
    stamp "start join of $n shards"
    if [ -e "$out" ]; then
        echo "$out exists (an earlier join): nothing to do"
    else
        shards=()
        for ((i = 0; i < n; i++)); do shards+=("$out.part-$i"); done
        "$SMELT" cache join "$out" "${shards[@]}"
    fi
    stamp "end join"
    exit 0
    ;;
esac

if [ $# -lt 4 ] || [[ "$1" == -* ]]; then
    sed -n '2,32p' "$0" >&2
    exit 64
fi
model=$(realpath -m "$1") data=$(realpath -m "$2") out=$(realpath -m "$3") n=$4
shift 4
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "error: N must be a positive number, not '$n'" >&2; exit 64; }
[ -e "$model" ] || { echo "error: $model missing" >&2; exit 66; }
[ -f "$data" ] || { echo "error: $data missing" >&2; exit 66; }
command -v sbatch > /dev/null || { echo "error: sbatch missing (no Slurm here; tools/slurm-single-node.sh makes one)" >&2; exit 69; }
root=$(cd "$(dirname "$0")/.." && pwd)
SMELT=$(realpath -m "${SMELT:-$root/.build/release/smelt}")
[ -x "$SMELT" ] || { echo "error: $SMELT missing (swift build -c release)" >&2; exit 66; }
CPUS=${CPUS:-1}
logs="$out.logs"
mkdir -p "$logs"
read -r -a more <<< "${SBATCH_OPTIONS:-}"
script=$(realpath "$0")

array=$(sbatch --parsable --job-name=smelt-logits --array="0-$((n - 1))" --cpus-per-task="$CPUS" \
    --requeue --output="$logs/logits-%A_%a.out" --export=ALL,SMELT="$SMELT" "${more[@]}" \
    "$script" --task "$model" "$data" "$out" "$n" "$@")
array=${array%%;*}  # --parsable prints "id" or "id;cluster"
join=$(sbatch --parsable --job-name=smelt-join --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --requeue --output="$logs/join-%j.out" --export=ALL,SMELT="$SMELT" "${more[@]}" \
    "$script" --join "$out" "$n")
join=${join%%;*}
echo "array job $array: $n tasks of smelt logits --shard I/$n into $out.part-I"
echo "join job $join (after array job $array): smelt cache join $out"
echo "logs: $logs/"
