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

    PATH is a model folder (model.safetensors, or shards with
    model.safetensors.index.json) or a single .safetensors file.
    Run 'smelt <command> --help' for details.

    exit codes: 0 ok, 1 verify found a problem, 64 usage, 65 malformed input,
    66 missing input, 73 cannot create output, 74 I/O error.
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
