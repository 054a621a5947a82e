/// How much of a spill file holds good blocks, and what a scan dropped.
public struct SpillRecovery: Sendable, Equatable {
    /// Bytes from the start of the file up to the end of the last good block.
    public let validLength: UInt64
    /// Bytes of torn tail after `validLength`; 0 if the file ended cleanly.
    public let tornBytes: UInt64

    public init(validLength: UInt64, tornBytes: UInt64) {
        self.validLength = validLength
        self.tornBytes = tornBytes
    }
}

/// What a scan finds at one offset of a spill file.
enum SpillSlot {
    /// The offset is the end of the file.
    case end
    /// A torn tail starts here (rules on `SpillBlock`).
    case torn
    /// A good block; its payload is in the buffer the caller passed.
    case block(SpillBlockInfo)
}

/// Reads and checks the blocks of one open spill file, telling a torn tail
/// from damage by the rules documented on `SpillBlock`. The file's size is
/// taken once, when the scanner is made. Not reentrant; one owner at a time.
final class SpillScanner {
    let file: OpenFile
    let fileSize: UInt64
    /// Compressed bytes of the block being read, reused from block to block.
    private var compressedBuffer: [UInt8] = []
    private var headerBuffer = [UInt8](repeating: 0, count: SpillBlock.headerByteCount)

    init(file: OpenFile) throws {
        self.file = file
        self.fileSize = try file.status().size
    }

    var path: String { file.path }

    /// Reads the block at `offset`, leaving its verified payload in the
    /// first `uncompressedByteCount` bytes of `payload` (grown as needed,
    /// never shrunk, so a caller reuses one buffer). Throws
    /// `SpillError.corruptBlock` for damage.
    func readBlock(at offset: UInt64, payload: inout [UInt8]) throws -> SpillSlot {
        guard offset < fileSize else { return .end }
        guard fileSize - offset >= UInt64(SpillBlock.headerByteCount) else { return .torn }
        try headerBuffer.withUnsafeMutableBytes { try file.read(into: $0, at: offset) }
        let checked = headerBuffer.withUnsafeBytes { SpillBlockHeader(checking: $0) }
        guard let header = checked else {
            // Zeros to the end: space the file system gave the file but the crash never filled.
            if try isZero(from: offset) { return .torn }
            throw SpillError.corruptBlock(path: path, offset: offset, problem: "header check digest mismatch")
        }
        if let problem = header.problem { throw SpillError.corruptBlock(path: path, offset: offset, problem: problem) }

        // The sizes are now within the limits, so these conversions and sums are small;
        // the end offset is still checked, since `offset` may be anywhere a caller says.
        let compressedCount = Int(header.compressedByteCount), uncompressedCount = Int(header.uncompressedByteCount)
        let (blockEnd, overflow) = offset.addingReportingOverflow(UInt64(SpillBlock.headerByteCount + compressedCount))
        guard !overflow, blockEnd <= fileSize else { return .torn }

        // Sizes checked against the limits and the file before allocating.
        if compressedBuffer.count < compressedCount { compressedBuffer = [UInt8](repeating: 0, count: compressedCount) }
        if payload.count < max(uncompressedCount, 1) {
            payload = [UInt8](repeating: 0, count: max(uncompressedCount, 1))
        }
        let producedCount = try compressedBuffer.withUnsafeMutableBytes { compressedBytes in
            let compressed = UnsafeMutableRawBufferPointer(rebasing: compressedBytes[0..<compressedCount])
            try file.read(into: compressed, at: offset + UInt64(SpillBlock.headerByteCount))
            return payload.withUnsafeMutableBytes { payloadBytes in
                LZ4Block.decompress(
                    UnsafeRawBufferPointer(compressed),
                    into: UnsafeMutableRawBufferPointer(rebasing: payloadBytes[0..<uncompressedCount]))
            }
        }
        let problem: String?
        if producedCount != uncompressedCount {
            problem = "payload does not decompress to \(uncompressedCount) bytes"
        } else if payload.withUnsafeBytes({ XXH3.digest(UnsafeRawBufferPointer(rebasing: $0[0..<uncompressedCount])) })
            != header.payloadDigest
        {
            problem = "payload digest mismatch"
        } else {
            problem = nil
        }
        if let problem {
            // Only the last block (nothing but zeros after it) can hold a half-written payload.
            if try isZero(from: blockEnd) { return .torn }
            throw SpillError.corruptBlock(path: path, offset: offset, problem: problem)
        }
        return .block(
            SpillBlockInfo(
                offset: offset, compressedByteCount: compressedCount, uncompressedByteCount: uncompressedCount,
                payloadDigest: header.payloadDigest))
    }

    /// Reads every block from the start, handing `body` each good block and
    /// its payload, and returns where the good blocks end. A torn tail
    /// throws `SpillError.tornTail` unless `allowingTornTail`, after `body`
    /// has seen the blocks before it.
    func scan(
        allowingTornTail: Bool, _ body: (SpillBlockInfo, UnsafeRawBufferPointer) throws -> Void
    ) throws -> SpillRecovery {
        var payload: [UInt8] = []
        var offset: UInt64 = 0
        while true {
            switch try readBlock(at: offset, payload: &payload) {
            case .end:
                return SpillRecovery(validLength: offset, tornBytes: 0)
            case .torn:
                guard allowingTornTail else { throw SpillError.tornTail(path: path, offset: offset) }
                return SpillRecovery(validLength: offset, tornBytes: fileSize - offset)
            case .block(let info):
                try payload.withUnsafeBytes {
                    try body(info, UnsafeRawBufferPointer(rebasing: $0[0..<info.uncompressedByteCount]))
                }
                offset = info.endOffset
            }
        }
    }

    /// Whether every byte from `offset` to the end of the file is zero (an
    /// empty range is): a tail the file system extended but never filled.
    /// Stops at the first non-zero window, so damage early in a large file
    /// is reported without reading the rest.
    private func isZero(from offset: UInt64) throws -> Bool {
        guard offset < fileSize else { return true }
        let windowByteCount = Int(min(fileSize - offset, 1 << 16))
        var window = [UInt8](repeating: 0, count: windowByteCount)
        var position = offset
        while position < fileSize {
            let count = Int(min(UInt64(windowByteCount), fileSize - position))
            let allZero = try window.withUnsafeMutableBytes { bytes in
                let filled = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<count])
                try file.read(into: filled, at: position)
                return filled.allSatisfy { $0 == 0 }
            }
            if !allZero { return false }
            position += UInt64(count)
        }
        return true
    }
}
