import Base
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
    /// The staging folder's path, for messages.
    public let stagingPath: String
    /// The claimed staging folder; every read and write inside it goes
    /// through its `workPath`.
    public let staging: StagingFolder
    public let shards: [ShardLayout]
    /// The open shard files, in shard order.
    let shardFiles: [OpenFile]
    private let placements: [String: TensorPlacement]

    /// The staging folder for `outputPath`: a hidden sibling, so the final
    /// rename stays on one file system.
    public static func stagingPath(for outputPath: String) -> String { StagingFolder.path(for: outputPath) }

    /// A writer of `tensors` laid out in shards of at most `shardSizeLimit`
    /// data bytes (`ShardLayout.plan`; one shard is named `singleFileName`).
    public convenience init(
        outputPath: String, tensors: [OutputTensor], shardSizeLimit: UInt64,
        singleFileName: String = "model.safetensors",
        keepStaged: (_ staging: StagingFolder) throws -> Bool = { _ in false }
    ) throws {
        let shards = try ShardLayout.plan(
            tensors: tensors, shardSizeLimit: shardSizeLimit, singleFileName: singleFileName)
        try self.init(outputPath: outputPath, shards: shards, keepStaged: keepStaged)
    }

    /// Takes the shards' layout, then claims, creates and locks the staging
    /// folder (`StagingFolder.claim`). Then `keepStaged` (called under the
    /// lock) decides whether what an earlier attempt left there is kept for
    /// a resume; the writer itself never trusts it (checking staged bytes
    /// against a journal is the merge layer's job). Without keeping,
    /// everything is cleared. Every shard ends up at its final size with
    /// its header in place: a kept shard of the right size keeps its data
    /// and gets its header rewritten (a run killed while publishing may have
    /// patched digests into it), any other is created afresh.
    public init(
        outputPath: String, shards: [ShardLayout],
        keepStaged: (_ staging: StagingFolder) throws -> Bool = { _ in false }
    ) throws {
        self.outputPath = outputPath
        self.shards = shards
        // checked: claiming with `creating` returns a folder or throws
        staging = try StagingFolder.claim(outputPath: outputPath, creating: true)!
        stagingPath = staging.path
        let keeping = try keepStaged(staging)
        if !keeping {
            for name in try staging.contents() where name != StagingFolder.lockFileName { try staging.remove(name) }
        }
        var files: [OpenFile] = []
        var placements: [String: TensorPlacement] = [:]
        for shard in shards {
            let path = staging.workPath + "/" + shard.fileName
            let file: OpenFile
            if keeping, let status = try FileSystem.status(path), status.isRegularFile, status.size == shard.fileSize {
                file = try OpenFile.forUpdating(path)
            } else {
                file = try OpenFile.creating(path)
                try file.preallocate(length: shard.fileSize)
            }
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
        let (shard, start) = try location(tensor: name, offset: offset, count: bytes.count)
        try shardFiles[shard].write(bytes, at: start)
    }

    /// The shard and file offset of `count` bytes at `offset` inside tensor
    /// `name`'s data, refusing a range outside it.
    func location(tensor name: String, offset: UInt64, count: Int) throws -> (shard: Int, fileOffset: UInt64) {
        guard let placement = placements[name] else { throw WriterError.unknownTensor(name: name) }
        let tensorBytes = UInt64(placement.fileRange.count)
        guard offset <= tensorBytes, UInt64(count) <= tensorBytes - offset else {
            throw WriterError.chunkOutOfRange(tensor: name, offset: offset, count: count, tensorBytes: tensorBytes)
        }
        return (placement.shardIndex, placement.fileRange.lowerBound + offset)
    }

    /// Reads `buffer.count` staged bytes at `offset` inside tensor `name`'s
    /// data: what a resumed run checks against its journal.
    public func read(tensor name: String, offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws {
        let (shard, start) = try location(tensor: name, offset: offset, count: buffer.count)
        try shardFiles[shard].read(into: buffer, at: start)
    }

    /// The XXH3-64 of each staged range (tensor name, bytes inside its
    /// data), in the order given, hashed by up to `threads` workers;
    /// `progress` gets the bytes hashed, from any worker.
    public func stagedDigests(
        of units: [(tensor: String, range: Range<UInt64>)], threads: Int,
        progress: @Sendable (UInt64) -> Void = { _ in }
    ) throws -> [UInt64] {
        var byShard: [Int: [(unit: Int, range: Range<UInt64>)]] = [:]
        for (index, unit) in units.enumerated() {
            let (shard, start) = try location(
                tensor: unit.tensor, offset: unit.range.lowerBound, count: unit.range.count)
            byShard[shard, default: []].append((index, start..<start + UInt64(unit.range.count)))
        }
        var digests = [UInt64](repeating: 0, count: units.count)
        for (shard, entries) in byShard {
            let computed = try RangeDigester.digests(
                of: shardFiles[shard], ranges: entries.map(\.range), threads: threads, progress: progress)
            for (entry, digest) in zip(entries, computed) { digests[entry.unit] = digest }
        }
        return digests
    }

    /// Writes a small extra file (config, tokenizer, model card) into the
    /// staging folder.
    public func addFile(named name: String, bytes: [UInt8]) throws {
        guard CheckpointIndex.isPlainFileName(name), name.utf8.first != UInt8(ascii: ".") else {
            throw WriterError.unsafeFileName(name: name)
        }
        try FileSystem.writeFileAtomically(staging.workPath + "/" + name, bytes: bytes)
    }
}
