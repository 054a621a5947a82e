import Base
import Checkpoint

#if canImport(Glibc)
import Glibc
#endif

/// smelt-roundtrip IN OUT SHARD_BYTES
///
/// Copies the checkpoint IN to the new folder OUT through `CheckpointWriter`:
/// same tensors in the same order, each split into several chunks that are
/// written in a shuffled (but deterministic) order, plus `config.json` and
/// `generation_config.json`. Exit codes follow sysexits: 64 usage, 1 failure.

let usage = "usage: smelt-roundtrip IN OUT SHARD_BYTES"
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("-h") || arguments.contains("--help") {
    writeToStandardOutput(usage + "\n")
    exit(0)
}
guard arguments.count == 3, let shardSizeLimit = UInt64(arguments[2]), shardSizeLimit > 0 else {
    writeToStandardError("error: expected IN OUT SHARD_BYTES (a positive integer)")
    writeToStandardError(usage)
    exit(64) // EX_USAGE
}

do {
    let summary = try copyCheckpoint(from: arguments[0], to: arguments[1], shardSizeLimit: shardSizeLimit)
    writeToStandardOutput(summary + "\n")
} catch {
    writeToStandardError("error: \(error)")
    exit(1)
}
