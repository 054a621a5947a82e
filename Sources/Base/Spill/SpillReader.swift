/// Reads a finished spill file (format on `SpillBlock`): every block in
/// order, or one block by the offset its append returned.
///
/// Strict by default: a torn tail is `SpillError.tornTail`, since a file
/// that is read, not appended to, should have been finished cleanly. The
/// file's size is taken when the reader is made; later appends are not seen.
public final class SpillReader {
    public let path: String
    /// The file's size when the reader was made.
    public var fileSize: UInt64 { scanner.fileSize }

    private let scanner: SpillScanner

    /// Opens `path` for reading.
    public init(path: String) throws {
        self.path = path
        scanner = try SpillScanner(file: OpenFile.forReading(path))
    }

    /// Checks every block, payload included, and lists the good ones in
    /// file order. A torn tail throws `SpillError.tornTail` unless
    /// `allowingTornTail`, in which case the list stops before it.
    public func blocks(allowingTornTail: Bool = false) throws -> [SpillBlockInfo] {
        var blocks: [SpillBlockInfo] = []
        _ = try scanner.scan(allowingTornTail: allowingTornTail) { info, _ in blocks.append(info) }
        return blocks
    }

    /// The payload of the block at `offset`, checked against its digest.
    /// An offset where no good block starts is `SpillError.corruptBlock`;
    /// a block torn at the end of the file is `SpillError.tornTail`.
    public func payload(at offset: UInt64) throws -> [UInt8] {
        guard offset < scanner.fileSize else {
            throw SpillError.corruptBlock(
                path: path, offset: offset, problem: "no block starts here: the file ends at byte \(scanner.fileSize)")
        }
        var payload: [UInt8] = []
        switch try scanner.readBlock(at: offset, payload: &payload) {
        case .block(let info):
            if payload.count > info.uncompressedByteCount {
                payload.removeLast(payload.count - info.uncompressedByteCount)
            }
            return payload
        case .torn, .end:
            throw SpillError.tornTail(path: path, offset: offset)
        }
    }

    /// Calls `body` with each good block's offset and payload, in file
    /// order; the payload's bytes are valid only during the call. Returns
    /// where the good blocks end. A torn tail throws `SpillError.tornTail`
    /// (after `body` has seen the blocks before it) unless
    /// `allowingTornTail`, in which case it is reported in the result.
    @discardableResult
    public func forEachPayload(
        allowingTornTail: Bool = false, _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void
    ) throws -> SpillRecovery {
        try scanner.scan(allowingTornTail: allowingTornTail) { info, payload in try body(info.offset, payload) }
    }
}
