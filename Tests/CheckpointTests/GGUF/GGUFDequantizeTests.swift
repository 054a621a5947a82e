import Base
import Checkpoint
import Testing
import TestSupport

/// The types whose blocks and gguf-py outputs are in Fixtures/gguf/dequantize.
let referenceTypes: [GGMLType] = [
    .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K,
]

/// Where two decodings differ: bit patterns compared exactly, except that
/// any NaN matches any NaN (which NaN a multiply returns depends on operand
/// order, which the compiler is free to swap).
func firstDifference(_ found: [Float], _ expected: [Float]) -> Int? {
    guard found.count == expected.count else { return min(found.count, expected.count) }
    return found.indices.first { index in
        !(found[index].bitPattern == expected[index].bitPattern || (found[index].isNaN && expected[index].isNaN))
    }
}

/// The committed blocks of `type` and gguf-py's Float32 output for them.
func referenceBlocks(_ type: GGMLType) throws -> (blocks: [UInt8], expected: [Float]) {
    let blocks = try TestFiles.read(TestFiles.fixture("gguf/dequantize/\(type.name).blocks"))
    let expectedBytes = try TestFiles.read(TestFiles.fixture("gguf/dequantize/\(type.name).expected"))
    let expected = stride(from: 0, to: expectedBytes.count, by: 4).map { index in
        Float(bitPattern: expectedBytes[index..<index + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) })
    }
    return (blocks, expected)
}

func dequantize(_ type: GGMLType, _ blocks: ArraySlice<UInt8>) -> [Float] {
    var values = [Float](repeating: .nan, count: blocks.count / type.blockByteCount * type.blockElementCount)
    let decoded = blocks.withUnsafeBytes { raw in
        values.withUnsafeMutableBufferPointer { type.dequantize(raw, into: $0) }
    }
    #expect(decoded)
    return values
}

@Suite struct GGUFDequantizeTests {
    @Test(arguments: referenceTypes)
    func matchesGGUFPyBitForBit(_ type: GGMLType) throws {
        let (blocks, expected) = try referenceBlocks(type)
        #expect(blocks.count % type.blockByteCount == 0)
        #expect(expected.count == blocks.count / type.blockByteCount * type.blockElementCount)
        let found = dequantize(type, blocks[...])
        if let index = firstDifference(found, expected) {
            let block = index / type.blockElementCount
            let foundBits = String(found[index].bitPattern, radix: 16)
            let expectedBits = String(expected[index].bitPattern, radix: 16)
            Issue.record(
                "\(type.name) element \(index) (block \(block)): found \(foundBits), gguf-py gives \(expectedBits)")
        }
    }

    /// Decoding block by block gives what decoding all at once gives, so a
    /// tensor can stream through a small buffer.
    @Test(arguments: referenceTypes)
    func decodesBlockRangesIndependently(_ type: GGMLType) throws {
        let (blocks, _) = try referenceBlocks(type)
        let whole = dequantize(type, blocks[...])
        var pieces: [Float] = []
        var start = 0
        var step = 1
        while start < blocks.count {
            let end = min(blocks.count, start + step * type.blockByteCount)
            pieces += dequantize(type, blocks[start..<end])
            start = end
            step = step % 3 + 1
        }
        #expect(firstDifference(pieces, whole) == nil)
    }

    /// The edge blocks make NaNs and infinities; the random pairs must not,
    /// or the comparison above would test little.
    @Test(arguments: referenceTypes.filter { $0.blockElementCount > 1 })
    func randomBlocksDecodeToFiniteValues(_ type: GGMLType) throws {
        let (_, expected) = try referenceBlocks(type)
        let randomPairs = expected.prefix(4 * type.blockElementCount)
        #expect(randomPairs.allSatisfy { $0.isFinite })
        #expect(Set(randomPairs).count > 32)
    }

    @Test(arguments: GGMLType.allCases.filter { !$0.isDecodable })
    func refusesTypesItCannotDecode(_ type: GGMLType) {
        let blocks = [UInt8](repeating: 0, count: type.blockByteCount)
        var values = [Float](repeating: 0, count: type.blockElementCount)
        let decoded = blocks.withUnsafeBytes { raw in
            values.withUnsafeMutableBufferPointer { type.dequantize(raw, into: $0) }
        }
        #expect(!decoded)
    }
}
