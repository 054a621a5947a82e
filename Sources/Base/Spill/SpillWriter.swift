/// Appends spill blocks (format on `SpillBlock`) to one file.
///
/// Each append is one positioned write of header and LZ4 block at the
/// file's current end, so a crash leaves at most one torn block, which the
/// next `SpillWriter(appendingTo:)` drops. Appends are not durable until
/// `sync()`; a newly created file's name is durable once the caller syncs
/// its folder (`FileSystem.syncDirectory`).
public final class SpillWriter {
    public let path: String
    /// Bytes of good blocks in the file; the next block starts here.
    public private(set) var length: UInt64
    /// What opening the file found: where its good blocks end and how many
    /// torn bytes after them were truncated.
    public let recovered: SpillRecovery

    private let file: OpenFile
    /// Header and compressed bytes of the block being appended, reused so
    /// steady appends allocate nothing; holds the largest block seen.
    private var blockBuffer: [UInt8] = []
    /// Set when a write failed part way: the file may hold part of a block
    /// past `length`, cut off before the next append.
    private var needsTruncation = false

    /// Creates `path` as an empty spill file, replacing whatever was there.
    public init(path: String) throws {
        self.path = path
        file = try OpenFile.creating(path)
        length = 0
        recovered = SpillRecovery(validLength: 0, tornBytes: 0)
    }

    /// Opens `path` for appending, creating it empty if missing. Every block
    /// is checked and its payload handed to `reading` (offset, payload), so
    /// a caller reads what it resumes in the same pass; a torn tail is then
    /// truncated (and the truncation synced) and reported in `recovered`.
    /// Damage before the tail throws `SpillError.corruptBlock`, and an
    /// error thrown by `reading` stops the scan; either leaves the file as
    /// it was.
    public init(appendingTo path: String, reading: (UInt64, UnsafeRawBufferPointer) throws -> Void = { _, _ in }) throws
    {
        self.path = path
        file = try OpenFile.forUpdatingOrCreating(path)
        let scanner = try SpillScanner(file: file)
        let recovery = try scanner.scan(allowingTornTail: true) { info, payload in try reading(info.offset, payload) }
        if recovery.tornBytes > 0 {
            try file.truncate(to: recovery.validLength)
            try file.sync()
        }
        length = recovery.validLength
        recovered = recovery
    }

    /// Appends `payload` as one block and returns the block's offset, for
    /// `SpillReader.payload(at:)`. Throws `SpillError.payloadTooLarge` for
    /// more than `SpillBlock.maximumUncompressedBytes` bytes.
    @discardableResult
    public func append(_ payload: UnsafeRawBufferPointer) throws -> UInt64 {
        guard payload.count <= SpillBlock.maximumUncompressedBytes else {
            throw SpillError.payloadTooLarge(path: path, byteCount: payload.count)
        }
        if needsTruncation {
            try file.truncate(to: length)
            needsTruncation = false
        }
        let headerCount = SpillBlock.headerByteCount
        let bound = LZ4Block.compressBound(payload.count)
        if blockBuffer.count < headerCount + bound { blockBuffer = [UInt8](repeating: 0, count: headerCount + bound) }
        let written = blockBuffer.withUnsafeMutableBytes { block -> Int? in
            guard
                let compressedCount = LZ4Block.compress(
                    payload, into: UnsafeMutableRawBufferPointer(rebasing: block[headerCount..<headerCount + bound]))
            else {
                return nil
            }
            let header = SpillBlockHeader(
                uncompressedByteCount: UInt32(payload.count),  // checked: ≤ 64 MiB, tested above
                compressedByteCount: UInt32(compressedCount),  // checked: ≤ compressBound(64 MiB)
                payloadDigest: XXH3.digest(payload))
            header.encode(into: UnsafeMutableRawBufferPointer(rebasing: block[0..<headerCount]))
            return headerCount + compressedCount
        }
        guard let blockCount = written else { throw SpillError.compressionFailed(path: path, byteCount: payload.count) }
        let offset = length
        do {
            try blockBuffer.withUnsafeBytes {
                try file.write(UnsafeRawBufferPointer(rebasing: $0[0..<blockCount]), at: offset)
            }
        } catch {
            needsTruncation = true
            throw error
        }
        length = offset + UInt64(blockCount)  // checked: a file length below 2^63 plus at most 65 MiB
        return offset
    }

    /// Appends the bytes of `payload` as one block; see `append(_:)`.
    @discardableResult
    public func append(_ payload: [UInt8]) throws -> UInt64 {
        try payload.withUnsafeBytes { try append($0) }
    }

    /// Drops every block from `offset` on (a block boundary the caller got
    /// from `append` or the resume scan), durably: a resumed run keeps only
    /// what every file of its output agrees it finished.
    public func truncate(to offset: UInt64) throws {
        guard offset < length else { return }
        try file.truncate(to: offset)
        try file.sync()
        length = offset
    }

    /// Makes every block appended so far durable (fsync).
    public func sync() throws {
        try file.sync()
    }
}
