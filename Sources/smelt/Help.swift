import Base
/// The text of `smelt --help` and of each command's `--help`.
enum Help {
    static let main = """
    smelt: merge large language model checkpoints out of core.

    usage: smelt <command> [options]

    commands:
      inspect PATH [--json]            list tensors, dtypes, shapes, sizes and shards; validate
      hash PATH [--json]               XXH3-64 of every tensor and of each file's header
      verify PATH [--inputs] [--json]  check every digest, the manifest and, in a
                                       Hugging Face cache, each file's SHA-256
      merge RECIPE OUT [options]       run a mergekit-style YAML recipe into the
                                       folder OUT, in bounded memory

    smelt --version prints the version.

    PATH is a model folder (model.safetensors, or shards with
    model.safetensors.index.json) or a single .safetensors file.
    Run 'smelt <command> --help' for details.

    exit codes: 0 ok, 1 verify found a problem, 64 usage, 65 malformed input,
    66 missing input, 73 cannot create output, 74 I/O error, 130/143
    stopped by SIGINT/SIGTERM (a merge then resumes when run again).
    """

    static let merge = """
    usage: smelt merge RECIPE OUT [options]

    Runs a merge recipe (mergekit 0.1.5's YAML: merge_method, models or
    slices, base_model, parameters with gradients and filters, dtype,
    out_dtype) and writes the merged checkpoint to the folder OUT. Tensors
    stream through in chunks, so memory stays within --memory-budget
    whatever the model size. The work is staged in .OUT.smelt-partial next
    to OUT and renamed into place only when complete, verified and synced:
    until then OUT does not exist. Re-running a finished merge is a no-op.

    Interrupted runs resume. Every finished chunk is recorded with its
    XXH3-64 in a journal in the staging folder (synced every 2 s or 256 MiB).
    After Ctrl-C (exit 130), SIGTERM (143), a kill, a crash, a full disk or
    an I/O error (74), run the same command again: the staged chunks are
    re-hashed against the journal, the ones that match are kept, the rest
    are redone. A resume of a different recipe, seed, shard size, input or
    Smelt version is refused (73); --restart discards the staged work. A
    second Ctrl-C stops at once (still resumable). OUT/smelt-run.json keeps
    the history of the runs (starts, stops, bytes kept and computed).

    Methods: linear, task_arithmetic, ties, dare_linear, dare_ties,
    breadcrumbs, breadcrumbs_ties, della, della_linear, slerp, nuslerp,
    multislerp, karcher, model_stock, sce, nearswap, arcee_fusion,
    passthrough. Model paths are relative to the current directory; an
    org/name that is not a path is looked up in the local Hugging Face
    cache (never downloaded).

    options:
      --memory-budget SIZE  peak memory for buffers (default: 1G or a quarter
                            of RAM, whichever is smaller; at least 16M)
      --threads N           worker threads (default: online CPUs)
      --shard-size SIZE     largest output shard (default 5GB)
      --chunk-size SIZE     bytes of Float32 work per chunk (default: from the
                            budget); never changes the output bytes
      --seed N              seed of the random methods (default 0)
      --dry-run             print the plan: tensors, output size, free disk,
                            estimated peak memory; write nothing
      --force               replace an OUT that holds a different merge
      --restart             discard staged work of an interrupted run
                            instead of resuming it
      --json                print one JSON object (schema in README.md)
      --quiet               no progress bar
      -h, --help            show this help

    SIZE: K M G T and KiB MiB GiB TiB are powers of 1024, KB MB GB TB powers
    of 1000, a bare number is bytes.

    examples:
      smelt merge Fixtures/recipes/ties.yml merged --dry-run
      smelt merge recipe.yml merged --memory-budget 256M

    exit codes: 0 merged or already done, 64 usage, 65 malformed recipe or
    inputs that do not fit together, 66 a model is missing, 73 OUT holds a
    different merge or a resume was refused, 74 I/O error or full disk
    (resumable), 130/143 stopped by SIGINT/SIGTERM (resumable).
    """

    static let inspect = """
    usage: smelt inspect PATH [--json]

    Validates a checkpoint by every rule of the safetensors format (header
    length, strict JSON, dtypes, shapes, offsets that tile the data exactly,
    the shard index) and lists its tensors. Reads only the headers: instant
    on any model size.

    PATH   a model folder or a .safetensors file

    options:
      --json      print one JSON object (schema in README.md) instead of a table
      -h, --help  show this help

    examples:
      smelt inspect Fixtures/models/llama-f32-base
      smelt inspect model.safetensors --json

    exit codes: 0 valid, 65 malformed (the message names the file, the tensor
    and the rule), 66 PATH does not exist, 74 I/O error.
    """

    static let hash = """
    usage: smelt hash PATH [--json]

    Prints the XXH3-64 digest (seed 0, 16 hex digits) of every tensor's raw
    bytes and of each file's header (the 8-byte length and the JSON). Any
    xxhash binding reproduces them: in Python, xxhash.xxh3_64_hexdigest of
    the same bytes. Streams the files through a memory map with bounded
    memory, at the speed of the disk.

    options:
      --json      one JSON object: files, header digests, tensor digests
      -h, --help  show this help

    exit codes: 0 ok, 65 malformed checkpoint, 66 missing path, 74 I/O error.
    """

    static let verify = """
    usage: smelt verify PATH [--inputs] [--json]

    Proves a checkpoint is intact. Checks the structure of every file; the
    bytes of every tensor against the digests Smelt stores in each shard's
    header (a placeholder left unpatched means an unfinished file); the
    folder against smelt-manifest.json (files, sizes, header and tensor
    digests, nothing missing or added); and, for a snapshot folder of the
    Hugging Face cache (.../models--org--name/snapshots/REV), the SHA-256 of
    every large file against the blob name the cache stores it under.

    options:
      --inputs    also re-check the merge inputs the manifest names that are
                  still present (size and header digest)
      --json      one JSON object with every problem found
      -h, --help  show this help

    exit codes: 0 everything matches, 1 a problem was found (each is listed:
    file, tensor, what is wrong), 66 PATH does not exist, 74 I/O error.
    """
}
