import Base

/// One record of a logit cache as the index lists it, and the head of its
/// block in `records.smsp`: the record's place in the data file (its
/// ordinal among the records, from 0, and its line), its id as JSON text,
/// its token and loss-token counts, and (in the index) the offset of its
/// block. All integers little-endian.
///
/// | bytes | field |
/// |---|---|
/// | u32 | ordinal |
/// | u32 | line |
/// | u32 | tokens |
/// | u32 | loss tokens |
/// | u16 | id length L |
/// | L | id (UTF-8 JSON: a string or a number) |
///
/// A record block is this head followed by the `LogitCodec` payload; an
/// index block is a u32 count followed by that many heads, each followed
/// by the u64 offset of the record's block.
public struct LogitCacheEntry: Equatable, Sendable {
    public let ordinal: Int
    public let line: Int
    public let tokens: Int
    public let lossTokens: Int
    public let id: String
    /// Where the record's block starts in `records.smsp`.
    public var offset: UInt64

    public init(ordinal: Int, line: Int, tokens: Int, lossTokens: Int, id: String, offset: UInt64 = 0) {
        self.ordinal = ordinal
        self.line = line
        self.tokens = tokens
        self.lossTokens = lossTokens
        self.id = id
        self.offset = offset
    }

    /// Appends the head (and the offset, for the index).
    func append(to bytes: inout [UInt8], withOffset: Bool) {
        for value in [ordinal, line, tokens, lossTokens] { bytes.appendLittleEndian(UInt32(clamping: value)) }
        let id = Array(self.id.utf8.prefix(Int(UInt16.max)))
        bytes.appendLittleEndian(UInt16(id.count))
        bytes += id
        if withOffset { bytes.appendLittleEndian(offset) }
    }

    /// Reads a head at `cursor`, moving it past; `place` names the bytes for errors.
    static func read(
        _ bytes: UnsafeRawBufferPointer, cursor: inout Int, withOffset: Bool, place: String
    ) throws(LogitCacheFolderError) -> LogitCacheEntry {
        func take(_ count: Int) throws(LogitCacheFolderError) -> UnsafeRawBufferPointer {
            guard count <= bytes.count - cursor else {
                throw .damaged(place: place, problem: "a record entry is cut short at byte \(cursor)")
            }
            defer { cursor += count }
            return UnsafeRawBufferPointer(rebasing: bytes[cursor..<cursor + count])
        }
        var numbers: [Int] = []
        for _ in 0..<4 { numbers.append(Int(UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self)))) }
        let idCount = Int(UInt16(littleEndian: try take(2).loadUnaligned(as: UInt16.self)))
        let id = String(decoding: try take(idCount), as: UTF8.self)
        let offset = withOffset ? UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self)) : 0
        return LogitCacheEntry(
            ordinal: numbers[0], line: numbers[1], tokens: numbers[2], lossTokens: numbers[3], id: id, offset: offset)
    }

    /// The bytes of index blocks listing `entries`, `perBlock` at a time.
    static func indexBlocks(_ entries: [LogitCacheEntry], perBlock: Int = 65_536) -> [[UInt8]] {
        stride(from: 0, to: max(entries.count, 1), by: perBlock).map { start in
            let slice = entries[start..<min(entries.count, start + perBlock)]
            var bytes: [UInt8] = []
            bytes.appendLittleEndian(UInt32(slice.count))
            for entry in slice { entry.append(to: &bytes, withOffset: true) }
            return bytes
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
