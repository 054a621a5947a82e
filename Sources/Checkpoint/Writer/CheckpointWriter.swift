/// Writes a checkpoint transactionally (DESIGN.md, principle 6). The whole
/// layout is fixed up front from the list of output tensors; chunks arrive
/// in any order, from any thread, and go straight to their final offsets;
/// `publish` hashes the staged data in order, patches the digests into the
/// headers, writes the index and manifest, syncs everything, checks the
/// staged folder, and renames it to the output path in one step. Until
/// then the output path does not exist.
public final class CheckpointWriter: @unchecked Sendable {
    // @unchecked Sendable: every stored property is immutable after init;
    // concurrent `write` calls pwrite disjoint ranges of the shard files.
    public let outputPath: String
    public let stagingPath: String
    public let shards: [ShardLayout]
    /// The open shard files, in shard order.
    let shardFiles: [OpenFile]
    private let lockFile: OpenFile
    private let placements: [String: TensorPlacement]

    /// The staging folder for `outputPath`: a hidden sibling, so the final
    /// rename stays on one file system.
    public static func stagingPath(for outputPath: String) -> String {
        let parent = outputPath.deletingLastPathComponent
        return (parent == "/" ? "" : parent) + "/." + outputPath.lastPathComponent + ".smelt-partial"
    }

    /// Lays out the shards, creates the staging folder, locks it, clears
    /// whatever an earlier attempt left there (nothing unfinished is ever
    /// trusted; resuming from a journal is the job of the merge layer), and
    /// creates every shard at its final size with its header in place.
    public init(outputPath: String, tensors: [OutputTensor], shardSizeLimit: UInt64) throws {
        self.outputPath = outputPath
        stagingPath = Self.stagingPath(for: outputPath)
        shards = try ShardLayout.plan(tensors: tensors, shardSizeLimit: shardSizeLimit)
        try FileSystem.createDirectory(stagingPath)
        lockFile = try OpenFile.forUpdatingOrCreating(stagingPath + "/.smelt-lock")
        guard try lockFile.tryLockExclusive() else { throw WriterError.stagingLocked(path: stagingPath) }
        for name in try FileSystem.contents(ofDirectory: stagingPath) where name != ".smelt-lock" {
            try FileSystem.removeTree(stagingPath + "/" + name)
        }
        var files: [OpenFile] = []
        var placements: [String: TensorPlacement] = [:]
        for shard in shards {
            let file = try OpenFile.creating(stagingPath + "/" + shard.fileName)
            try file.preallocate(length: shard.fileSize)
            try shard.header.withUnsafeBytes { (bytes) throws in try file.write(bytes, at: 0) }
            files.append(file)
            for placement in shard.placements { placements[placement.tensor.name] = placement }
        }
        shardFiles = files
        self.placements = placements
    }

    /// Where `tensor` lives in the output.
    public func placement(of tensor: String) -> TensorPlacement? { placements[tensor] }

    /// Writes `bytes` at `offset` inside tensor `name`'s data.
    public func write(tensor name: String, offset: UInt64, bytes: UnsafeRawBufferPointer) throws {
        guard let placement = placements[name] else { throw WriterError.unknownTensor(name: name) }
        let tensorBytes = UInt64(placement.fileRange.count)
        guard offset <= tensorBytes, UInt64(bytes.count) <= tensorBytes - offset else {
            throw WriterError.chunkOutOfRange(tensor: name, offset: offset, count: bytes.count, tensorBytes: tensorBytes)
        }
        try shardFiles[placement.shardIndex].write(bytes, at: placement.fileRange.lowerBound + offset)
    }

    /// Starts writeback of `range` of shard `shard` without waiting, so the
    /// disk works while later chunks are computed and the final sync is short.
    public func startWriteback(shard: Int, range: Range<UInt64>) throws {
        guard shardFiles.indices.contains(shard), !range.isEmpty else { return }
        try shardFiles[shard].startWriteback(range)
    }

    /// Writes a small extra file (config, tokenizer, model card) into the
    /// staging folder.
    public func addFile(named name: String, bytes: [UInt8]) throws {
        guard CheckpointIndex.isPlainFileName(name), name.utf8.first != UInt8(ascii: ".") else { throw WriterError.unsafeFileName(name: name) }
        try FileSystem.writeFileAtomically(stagingPath + "/" + name, bytes: bytes)
    }
}
