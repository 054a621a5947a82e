import TestSupport
@testable import Base
import Testing

/// Spill blocks (DESIGN.md, "Spill blocks"; the format and the torn-versus-
/// damaged rules are on `SpillBlock`): payloads read back exactly, a torn
/// tail is dropped only when appending, and damage is named by file and
/// offset.
@Suite struct SpillTests {
    // MARK: Round trips

    @Test func roundTripsEmptyRandomAndCompressiblePayloads() throws {
        try SpillFixture.withSpillFile { path in
            let compressible = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 % 16) }
            let random = TestFiles.randomBytes(count: 100_000, seed: 1)
            let payloads: [[UInt8]] = [[], [0x2A], random, compressible, TestFiles.randomBytes(count: 3, seed: 2), []]
            let offsets = try SpillFixture.writeBlocks(payloads, to: path)
            let fileSize = try SpillFixture.size(of: path)

            let reader = try SpillReader(path: path)
            let blocks = try reader.blocks()
            #expect(blocks.map(\.offset) == offsets)
            #expect(blocks.map(\.uncompressedByteCount) == payloads.map(\.count))
            #expect(blocks.map(\.payloadDigest) == payloads.map { XXH3.digest($0) })
            #expect(blocks.last?.endOffset == fileSize)
            #expect(blocks[2].compressedByteCount <= SpillBlock.maximumCompressedBytes(uncompressedByteCount: random.count))
            #expect(blocks[3].compressedByteCount < compressible.count / 100, "compressible bytes are stored compressed")

            var read: [(UInt64, [UInt8])] = []
            let recovery = try reader.forEachPayload { offset, payload in read.append((offset, Array(payload))) }
            #expect(recovery == SpillRecovery(validLength: fileSize, tornBytes: 0))
            #expect(read.map(\.0) == offsets)
            #expect(read.map(\.1) == payloads)
        }
    }

    @Test func readsAnyBlockByItsOffset() throws {
        try SpillFixture.withSpillFile { path in
            let payloads = (0..<6).map { TestFiles.randomBytes(count: 500 * $0, seed: UInt64($0)) }
            let offsets = try SpillFixture.writeBlocks(payloads, to: path)
            let reader = try SpillReader(path: path)
            for (offset, payload) in zip(offsets, payloads).reversed() {
                #expect(try reader.payload(at: offset) == payload)
            }
        }
    }

    @Test func randomAccessWhereNoBlockStartsIsCorrupt() throws {
        try SpillFixture.withSpillFile { path in
            let offsets = try SpillFixture.writeBlocks(threePayloads, to: path)
            let fileSize = try SpillFixture.size(of: path)
            let reader = try SpillReader(path: path)
            #expect(throws: SpillError.corruptBlock(path: path, offset: offsets[1] + 1, problem: "header check digest mismatch")) {
                try reader.payload(at: offsets[1] + 1)
            }
            let pastEnd = SpillError.corruptBlock(path: path, offset: fileSize, problem: "no block starts here: the file ends at byte \(fileSize)")
            #expect(throws: pastEnd) {
                try reader.payload(at: fileSize)
            }
        }
    }

    @Test func compressionRefusesADestinationBelowTheBound() {
        let source = [UInt8](repeating: 7, count: 1000)
        var small = [UInt8](repeating: 0, count: LZ4Block.compressBound(1000) - 1)
        var full = [UInt8](repeating: 0, count: LZ4Block.compressBound(1000))
        source.withUnsafeBytes { input in
            #expect(small.withUnsafeMutableBytes { LZ4Block.compress(input, into: $0) } == nil)
            let written = full.withUnsafeMutableBytes { LZ4Block.compress(input, into: $0) }
            #expect(written.map { $0 > 0 && $0 < 1000 } == true)
        }
    }

    @Test func refusesPayloadOverTheLimit() throws {
        try SpillFixture.withSpillFile { path in
            let writer = try SpillWriter(path: path)
            try writer.append([1, 2, 3])
            let lengthBefore = writer.length
            let tooLarge = [UInt8](repeating: 0, count: SpillBlock.maximumUncompressedBytes + 1)
            #expect(throws: SpillError.payloadTooLarge(path: path, byteCount: SpillBlock.maximumUncompressedBytes + 1)) {
                try writer.append(tooLarge)
            }
            #expect(writer.length == lengthBefore)
            #expect(try SpillFixture.size(of: path) == lengthBefore)
            try writer.append([4])
            #expect(try SpillFixture.readPayloads(path) == [[1, 2, 3], [4]])
        }
    }

    @Test func headerBytesAreLaidOutAsSpecified() throws {
        try SpillFixture.withSpillFile { path in
            let payloads: [[UInt8]] = [TestFiles.randomBytes(count: 1000, seed: 3), [UInt8](repeating: 7, count: 5000), []]
            let offsets = try SpillFixture.writeBlocks(payloads, to: path)
            let raw = try TestFiles.read(path)
            let ends = Array(offsets.dropFirst()) + [UInt64(raw.count)]
            for ((offset, end), payload) in zip(zip(offsets, ends), payloads) {
                let header = Array(raw[Int(offset)..<Int(offset) + 32])
                #expect(Array(header[0..<4]) == [0x53, 0x4D, 0x53, 0x50], "magic SMSP")
                #expect(Array(header[4..<8]) == [1, 0, 0, 0], "version 1, flags 0")
                #expect(SpillFixture.littleEndian(header, 8, 4) == UInt64(payload.count))
                #expect(SpillFixture.littleEndian(header, 12, 4) == end - offset - 32)
                #expect(SpillFixture.littleEndian(header, 16, 8) == XXH3.digest(payload))
                #expect(SpillFixture.littleEndian(header, 24, 8) == XXH3.digest(Array(header[0..<24])))
            }
            #expect(ends[2] - offsets[2] == 33, "an empty payload is a header and LZ4's one-byte empty block")
        }
    }

    // MARK: Opening for appending

    @Test func appendingToMissingFileCreatesIt() throws {
        try SpillFixture.withSpillFile { path in
            let writer = try SpillWriter(appendingTo: path)
            #expect(writer.recovered == SpillRecovery(validLength: 0, tornBytes: 0))
            #expect(try SpillReader(path: path).blocks() == [])
            try writer.append([9, 9])
            #expect(try SpillFixture.readPayloads(path) == [[9, 9]])
        }
    }

    @Test func appendingToCleanFileKeepsEveryBlock() throws {
        try SpillFixture.withSpillFile { path in
            try SpillFixture.writeBlocks(threePayloads, to: path)
            let fileSize = try SpillFixture.size(of: path)
            let writer = try SpillWriter(appendingTo: path)
            #expect(writer.recovered == SpillRecovery(validLength: fileSize, tornBytes: 0))
            #expect(writer.length == fileSize)
            #expect(try writer.append([5]) == fileSize)
            #expect(try SpillFixture.readPayloads(path) == threePayloads + [[5]])
        }
    }

    struct Refused: Error {}

    @Test func appendingHandsEveryPayloadToTheReaderAndARefusalLeavesTheFile() throws {
        try SpillFixture.withSpillFile { path in
            let offsets = try SpillFixture.writeBlocks(threePayloads, to: path)
            try OpenFile.forUpdating(path).truncate(to: try SpillFixture.size(of: path) - 3)  // a torn last block
            let tornSize = try SpillFixture.size(of: path)
            #expect(throws: Refused.self) {
                _ = try SpillWriter(appendingTo: path) { _, _ in throw Refused() }
            }
            #expect(try SpillFixture.size(of: path) == tornSize, "a refused scan truncates nothing")
            var read: [(UInt64, [UInt8])] = []
            let writer = try SpillWriter(appendingTo: path) { offset, payload in read.append((offset, Array(payload))) }
            #expect(read.map(\.0) == Array(offsets[0..<2]) && read.map(\.1) == Array(threePayloads[0..<2]))
            #expect(writer.length == offsets[2] && writer.recovered.tornBytes == tornSize - offsets[2])
        }
    }

    @Test func newWriterReplacesExistingFile() throws {
        try SpillFixture.withSpillFile { path in
            try SpillFixture.writeBlocks(threePayloads, to: path)
            let writer = try SpillWriter(path: path)
            #expect(writer.length == 0)
            #expect(try SpillFixture.size(of: path) == 0)
            try writer.append([1])
            #expect(try SpillFixture.readPayloads(path) == [[1]])
        }
    }

    // MARK: Torn tails

    /// Writes the three payloads to `path` and tears them with `tear`: the
    /// blocks' offsets, where the tear starts, how many blocks are whole,
    /// and the damaged file's size.
    static func tornFile(_ tear: TornTail, at path: String) throws -> (offsets: [UInt64], tornOffset: UInt64, kept: Int, damagedSize: UInt64) {
        let offsets = try SpillFixture.writeBlocks(threePayloads, to: path)
        let (tornOffset, kept) = try tear.apply(to: path, offsets: offsets)
        return (offsets, tornOffset, kept, try SpillFixture.size(of: path))
    }

    @Test(arguments: TornTail.allCases)
    func appendingRecoveryDropsTornTail(_ tear: TornTail) throws {
        try SpillFixture.withSpillFile { path in
            let (_, tornOffset, kept, damagedSize) = try Self.tornFile(tear, at: path)
            let writer = try SpillWriter(appendingTo: path)
            #expect(writer.recovered == SpillRecovery(validLength: tornOffset, tornBytes: damagedSize - tornOffset))
            #expect(writer.length == tornOffset)
            #expect(try SpillFixture.size(of: path) == tornOffset, "the torn bytes are truncated")
            let appended: [[UInt8]] = [[0xAB, 0xCD], TestFiles.randomBytes(count: 700, seed: 9)]
            #expect(try writer.append(appended[0]) == tornOffset)
            try writer.append(appended[1])
            try writer.sync()
            #expect(try SpillFixture.readPayloads(path) == Array(threePayloads[0..<kept]) + appended)
        }
    }

    @Test(arguments: TornTail.allCases)
    func strictReaderReportsTornTailAtItsOffset(_ tear: TornTail) throws {
        try SpillFixture.withSpillFile { path in
            let (offsets, tornOffset, kept, damagedSize) = try Self.tornFile(tear, at: path)
            let reader = try SpillReader(path: path)
            #expect(throws: SpillError.tornTail(path: path, offset: tornOffset)) { try reader.blocks() }
            #expect(throws: SpillError.tornTail(path: path, offset: tornOffset)) { try reader.forEachPayload { _, _ in } }

            #expect(try reader.blocks(allowingTornTail: true).map(\.offset) == Array(offsets[0..<kept]))
            var read: [[UInt8]] = []
            let recovery = try reader.forEachPayload(allowingTornTail: true) { _, payload in read.append(Array(payload)) }
            #expect(recovery == SpillRecovery(validLength: tornOffset, tornBytes: damagedSize - tornOffset))
            #expect(read == Array(threePayloads[0..<kept]))
            #expect(try SpillFixture.size(of: path) == damagedSize, "reading never truncates")
        }
    }

    // MARK: Damage

    @Test func damagedPayloadBeforeTheTailIsCorrupt() throws {
        try SpillFixture.withSpillFile { path in
            let offsets = try SpillFixture.writeBlocks(threePayloads, to: path)
            // The middle payload is random, so LZ4 stores it as literals: byte 100 of the
            // LZ4 block is a payload byte, and flipping it keeps the sizes right.
            try SpillFixture.flipByte(of: path, at: offsets[1] + 32 + 100)
            let sizeBefore = try SpillFixture.size(of: path)
            let expected = SpillError.corruptBlock(path: path, offset: offsets[1], problem: "payload digest mismatch")
            #expect(expected.description == "\(path): block at byte \(offsets[1]) is corrupt: payload digest mismatch")
            #expect(throws: expected) { try SpillReader(path: path).blocks() }
            #expect(throws: expected) { try SpillReader(path: path).blocks(allowingTornTail: true) }
            #expect(throws: expected) { try SpillReader(path: path).payload(at: offsets[1]) }
            #expect(throws: expected) { try SpillWriter(appendingTo: path) }
            #expect(try SpillFixture.size(of: path) == sizeBefore, "damage is never truncated away")
        }
    }

    @Test(arguments: Array(0..<32))
    func damagedHeaderBeforeTheTailIsCorrupt(byteIndex: Int) throws {
        try SpillFixture.withSpillFile { path in
            let offsets = try SpillFixture.writeBlocks(threePayloads, to: path)
            try SpillFixture.flipByte(of: path, at: offsets[1] + UInt64(byteIndex))
            let expected = SpillError.corruptBlock(path: path, offset: offsets[1], problem: "header check digest mismatch")
            #expect(throws: expected) { try SpillReader(path: path).blocks(allowingTornTail: true) }
            #expect(throws: expected) { try SpillWriter(appendingTo: path) }
        }
    }

    @Test func damagedLastHeaderIsCorruptWhenNonZeroBytesFollowIt() throws {
        try SpillFixture.withSpillFile { path in
            let offsets = try SpillFixture.writeBlocks(threePayloads, to: path)
            try SpillFixture.flipByte(of: path, at: offsets[2] + 9)
            #expect(throws: SpillError.corruptBlock(path: path, offset: offsets[2], problem: "header check digest mismatch")) {
                try SpillWriter(appendingTo: path)
            }
        }
    }

    @Test(arguments: undecodableBlocks)
    func payloadThatDoesNotDecompressToItsSizeIsCorrupt(_ block: UndecodableBlock) throws {
        try SpillFixture.withSpillFile { path in
            let (first, last) = try SpillFixture.twoEncodedBlocks(in: path)
            let header = SpillHeaderFields(uncompressed: block.declaredByteCount, compressed: UInt32(block.lz4Bytes.count)).bytes
            try TestFiles.write(first + header + block.lz4Bytes + last, to: path)
            let expected = SpillError.corruptBlock(
                path: path, offset: UInt64(first.count), problem: "payload does not decompress to \(block.declaredByteCount) bytes")
            #expect(throws: expected) { try SpillReader(path: path).blocks(allowingTornTail: true) }
            #expect(throws: expected) { try SpillWriter(appendingTo: path) }
        }
    }

    @Test(arguments: malformedSpillHeaders)
    func malformedHeaderIsCorruptWhereverItIs(_ malformed: MalformedSpillHeader) throws {
        try SpillFixture.withSpillFile { path in
            let (first, last) = try SpillFixture.twoEncodedBlocks(in: path)
            let expected = SpillError.corruptBlock(path: path, offset: UInt64(first.count), problem: malformed.problem)
            // Followed by another block, and as the last bytes of the file: a header whose
            // check digest is right was written whole, so a bad field is never a tear.
            for tail in [last, []] {
                try TestFiles.write(first + malformed.fields.bytes + [0] + tail, to: path)
                #expect(throws: expected) { try SpillReader(path: path).blocks(allowingTornTail: true) }
                #expect(throws: expected) { try SpillWriter(appendingTo: path) }
            }
        }
    }
}
