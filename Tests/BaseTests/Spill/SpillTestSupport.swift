import TestSupport
import Base
import Testing

// Damage catalogues and helpers of `SpillTests`.

// MARK: - Damage catalogues

/// A way a crash can leave the last block (or the bytes after it).
enum TornTail: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case cutInsideHeader = "cut inside the last header"
    case cutRightAfterHeader = "cut right after the last header"
    case cutInsidePayload = "cut inside the last payload"
    case lastBlockZeroed = "last block's bytes zero-filled"
    case zeroFilledTailAfterBlocks = "zero bytes after the last block"
    case shortTailAfterBlocks = "fewer than 32 bytes after the last block"
    case damagedLastPayload = "one byte of the last payload flipped"
    case damagedLastPayloadBeforeZeros = "last payload flipped, zero bytes after it"

    var testDescription: String { rawValue }

    /// Damages the file holding `threePayloads` at `offsets`; returns where
    /// the torn tail starts and how many blocks before it are good.
    func apply(to path: String, offsets: [UInt64]) throws -> (tornOffset: UInt64, keptBlocks: Int) {
        let last = offsets[2], end = try SpillFixture.size(of: path)
        let file = try OpenFile.forUpdating(path)
        switch self {
        case .cutInsideHeader: try file.truncate(to: last + 17)
        case .cutRightAfterHeader: try file.truncate(to: last + 32)
        case .cutInsidePayload: try file.truncate(to: last + 32 + (end - last - 32) / 2)
        case .lastBlockZeroed: try TestFiles.patch(path, at: last, with: [UInt8](repeating: 0, count: Int(end - last)))
        case .zeroFilledTailAfterBlocks: try file.truncate(to: end + 8192)
        case .shortTailAfterBlocks: try TestFiles.patch(path, at: end, with: [1, 2, 3, 4, 5, 6, 7])
        case .damagedLastPayload: try SpillFixture.flipByte(of: path, at: last + 32 + 50)
        case .damagedLastPayloadBeforeZeros:
            try SpillFixture.flipByte(of: path, at: last + 32 + 50)
            try file.truncate(to: end + 100)
        }
        let tearsAfterBlocks = self == .zeroFilledTailAfterBlocks || self == .shortTailAfterBlocks
        return tearsAfterBlocks ? (end, 3) : (last, 2)
    }
}

/// Header fields written as given, with a correct header check digest.
struct SpillHeaderFields: Sendable {
    var magic: [UInt8] = [0x53, 0x4D, 0x53, 0x50]
    var version: UInt16 = 1
    var flags: UInt16 = 0
    var uncompressed: UInt32
    var compressed: UInt32
    var payloadDigest: UInt64 = 0

    var bytes: [UInt8] {
        let encode = SpillFixture.littleEndianBytes
        let sizes = encode(UInt64(uncompressed), 4) + encode(UInt64(compressed), 4)
        let checked = magic + encode(UInt64(version), 2) + encode(UInt64(flags), 2) + sizes + encode(payloadDigest, 8)
        return checked + encode(XXH3.digest(checked), 8)
    }
}

struct MalformedSpillHeader: CustomTestStringConvertible, Sendable {
    let rule: String
    let fields: SpillHeaderFields
    let problem: String
    var testDescription: String { rule }
}

let malformedSpillHeaders: [MalformedSpillHeader] = [
    .init(rule: "bad magic", fields: .init(magic: Array("SMSQ".utf8), uncompressed: 1, compressed: 1),
          problem: "bad magic 53 4d 53 51 (expected 53 4d 53 50, \"SMSP\")"),
    .init(rule: "version 2", fields: .init(version: 2, uncompressed: 1, compressed: 1),
          problem: "unsupported format version 2 (this reader knows 1)"),
    .init(rule: "version 0", fields: .init(version: 0, uncompressed: 1, compressed: 1),
          problem: "unsupported format version 0 (this reader knows 1)"),
    .init(rule: "flags 1", fields: .init(flags: 1, uncompressed: 1, compressed: 1), problem: "reserved flags 0x1 are set"),
    .init(rule: "flags 0x8000", fields: .init(flags: 0x8000, uncompressed: 1, compressed: 1), problem: "reserved flags 0x8000 are set"),
    .init(rule: "uncompressed size one over the limit", fields: .init(uncompressed: 64 << 20 + 1, compressed: 1),
          problem: "uncompressed size 67108865 exceeds the limit of 67108864 bytes"),
    .init(rule: "uncompressed size u32 max", fields: .init(uncompressed: .max, compressed: .max),
          problem: "uncompressed size 4294967295 exceeds the limit of 67108864 bytes"),
    .init(rule: "compressed size one over LZ4_compressBound", fields: .init(uncompressed: 10, compressed: 27),
          problem: "compressed size 27 exceeds LZ4_compressBound(10) = 26"),
    .init(rule: "compressed size over the bound of an empty payload", fields: .init(uncompressed: 0, compressed: 17),
          problem: "compressed size 17 exceeds LZ4_compressBound(0) = 16"),
    .init(rule: "compressed size 0 with non-zero uncompressed", fields: .init(uncompressed: 5, compressed: 0),
          problem: "compressed size 0 cannot hold an LZ4 block (at least 1 byte)"),
    .init(rule: "compressed size 0 with an empty payload", fields: .init(uncompressed: 0, compressed: 0),
          problem: "compressed size 0 cannot hold an LZ4 block (at least 1 byte)"),
]

/// An LZ4 block that does not decompress to the size its header declares.
struct UndecodableBlock: CustomTestStringConvertible, Sendable {
    let rule: String
    let declaredByteCount: UInt32
    let lz4Bytes: [UInt8]
    var testDescription: String { rule }
}

let undecodableBlocks: [UndecodableBlock] = [
    // Token 0x50: five literals and no match, a valid block of 5 bytes.
    .init(rule: "decodes to fewer bytes than declared", declaredByteCount: 6, lz4Bytes: [0x50, 1, 2, 3, 4, 5]),
    .init(rule: "decodes to more bytes than declared", declaredByteCount: 4, lz4Bytes: [0x50, 1, 2, 3, 4, 5]),
    .init(rule: "literal run longer than the block", declaredByteCount: 5, lz4Bytes: [0x50, 1, 2]),
    // One literal, then a 4-byte match at distance 0: 5 bytes if it were accepted,
    // but no byte lies at distance 0, so LZ4_decompress_safe refuses the block.
    .init(rule: "match at distance 0", declaredByteCount: 5, lz4Bytes: [0x10, 1, 0, 0, 0x00]),
]

// MARK: - Helpers

/// Three blocks; the middle one random, so its LZ4 block is mostly literals.
let threePayloads: [[UInt8]] = [
    TestFiles.randomBytes(count: 300, seed: 11) + [UInt8](repeating: 1, count: 3000),
    TestFiles.randomBytes(count: 4000, seed: 12),
    TestFiles.randomBytes(count: 2000, seed: 13),
]

/// Spill files in temporary folders, and the byte surgery the tests do on them.
enum SpillFixture {
    /// Calls `body` with the path of a spill file (not yet created) in a fresh
    /// folder, removed afterwards.
    static func withSpillFile(_ body: (String) throws -> Void) throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try body(folder + "/blocks.spill")
    }

    @discardableResult
    static func writeBlocks(_ payloads: [[UInt8]], to path: String) throws -> [UInt64] {
        let writer = try SpillWriter(path: path)
        let offsets = try payloads.map { try writer.append($0) }
        try writer.sync()
        #expect(try writer.length == size(of: path))
        return offsets
    }

    /// Every payload, read strictly.
    static func readPayloads(_ path: String) throws -> [[UInt8]] {
        var payloads: [[UInt8]] = []
        try SpillReader(path: path).forEachPayload { _, payload in payloads.append(Array(payload)) }
        return payloads
    }

    /// The bytes of two good blocks, made by the writer, to wrap hand-made ones.
    static func twoEncodedBlocks(in path: String) throws -> (first: [UInt8], last: [UInt8]) {
        let offsets = try writeBlocks([threePayloads[0], threePayloads[2]], to: path)
        let raw = try TestFiles.read(path)
        return (Array(raw[0..<Int(offsets[1])]), Array(raw[Int(offsets[1])...]))
    }

    static func size(of path: String) throws -> UInt64 {
        try OpenFile.forReading(path).status().size
    }

    static func flipByte(of path: String, at offset: UInt64) throws {
        let raw = try TestFiles.read(path)
        try TestFiles.patch(path, at: offset, with: [raw[Int(offset)] ^ 0xFF])
    }

    static func littleEndian(_ bytes: [UInt8], _ start: Int, _ count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { value, index in value | UInt64(bytes[start + index]) << (8 * UInt64(index)) }
    }

    static func littleEndianBytes(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}
