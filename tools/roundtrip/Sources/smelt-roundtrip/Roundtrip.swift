import Base
import Checkpoint

/// The extra files copied next to the weights when the input has them.
let extraFileNames = ["config.json", "generation_config.json"]

/// One piece of one tensor: `byteCount` bytes at `offset` inside its data.
struct Chunk {
    let tensorIndex: Int
    let offset: UInt64
    let byteCount: UInt64
}

/// Copies `inputPath` to `outputPath` and returns a one-line summary.
func copyCheckpoint(from inputPath: String, to outputPath: String, shardSizeLimit: UInt64) throws -> String {
    let input = try Checkpoint(path: inputPath)
    let tensors = input.tensors
    let outputs = tensors.map { OutputTensor(name: $0.tensor.name, dtype: $0.tensor.dtype, shape: $0.tensor.shape) }
    let writer = try CheckpointWriter(outputPath: outputPath, tensors: outputs, shardSizeLimit: shardSizeLimit)

    var generator = SplitMix64(seed: 0x5EED_5E17)
    var chunks = tensors.indices.flatMap { index in
        splitIntoChunks(tensorIndex: index, byteCount: tensors[index].tensor.byteCount, using: &generator)
    }
    chunks.shuffle(using: &generator)
    for chunk in chunks {
        let (file, tensor) = tensors[chunk.tensorIndex]
        let range = file.fileRange(of: tensor)
        let begin = range.lowerBound + chunk.offset
        try file.mapping.withBytes(in: begin..<(begin + chunk.byteCount)) { (bytes) throws in
            try writer.write(tensor: tensor.name, offset: chunk.offset, bytes: bytes)
        }
    }

    var copied: [String] = []
    for name in extraFileNames {
        let path = input.folder + "/" + name
        guard let status = try FileSystem.status(path), !status.isDirectory else { continue }
        try writer.addFile(named: name, bytes: FileSystem.readSmallFile(path, limit: 1 << 24))
        copied.append(name)
    }
    try writer.publish(manifest: Manifest(version: "smelt-roundtrip"))
    let shardNames = writer.shards.map(\.fileName).joined(separator: ", ")
    return "wrote \(outputPath): \(tensors.count) tensors in \(chunks.count) shuffled chunks, "
        + "\(writer.shards.count) shard(s) [\(shardNames)], extra files [\(copied.joined(separator: ", "))]"
}

/// Splits a tensor into 1 to 4 chunks of uneven sizes; an empty tensor
/// gets one empty chunk so it is still written once.
func splitIntoChunks(tensorIndex: Int, byteCount: UInt64, using generator: inout SplitMix64) -> [Chunk] {
    let pieceCount = UInt64.random(in: 1...4, using: &generator)
    guard byteCount >= pieceCount else { return [Chunk(tensorIndex: tensorIndex, offset: 0, byteCount: byteCount)] }
    var cuts = Set<UInt64>()
    while UInt64(cuts.count) < pieceCount - 1 { cuts.insert(UInt64.random(in: 1..<byteCount, using: &generator)) }
    let bounds = [0] + cuts.sorted() + [byteCount]
    return zip(bounds, bounds.dropFirst()).map { Chunk(tensorIndex: tensorIndex, offset: $0, byteCount: $1 - $0) }
}

/// A small seeded generator so the write order is the same on every run
/// (SplitMix64, Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
