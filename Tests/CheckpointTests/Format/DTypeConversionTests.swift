import TestSupport
import Base
import Checkpoint
import Testing

/// Float conversions: exact widening, one round-to-nearest-even narrowing,
/// NaN and infinities kept.
@Suite struct DTypeConversionTests {
    private func decode(_ dtype: DType, _ bytes: [UInt8], count: Int) -> [Float] {
        var floats = [Float](repeating: 0, count: count)
        let ok = bytes.withUnsafeBytes { raw in floats.withUnsafeMutableBufferPointer { dtype.decode(raw, into: $0) } }
        #expect(ok)
        return floats
    }

    private func encode(_ dtype: DType, _ floats: [Float]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: floats.count * dtype.bitsPerElement / 8)
        let ok = floats.withUnsafeBufferPointer { source in bytes.withUnsafeMutableBytes { dtype.encode(source, into: $0) } }
        #expect(ok)
        return bytes
    }

    private func allSixteenBitPatterns() -> [UInt8] {
        (0..<65536).flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    }

    @Test func everyBF16PatternSurvivesFloat32AndBack() {
        let patterns = allSixteenBitPatterns()
        let floats = decode(.bf16, patterns, count: 65536)
        #expect(encode(.bf16, floats) == patterns)
        for bits in [0x7F80, 0xFF80] { #expect(floats[bits].isInfinite) }
        #expect(floats[0x7FC0].isNaN && floats[0x7F81].isNaN && floats[0xFFFF].isNaN)
    }

    @Test func everyF16PatternSurvivesFloat32AndBack() {
        let patterns = allSixteenBitPatterns()
        let floats = decode(.f16, patterns, count: 65536)
        #expect(encode(.f16, floats) == patterns)
        #expect(floats[0x3C00] == 1 && floats[0x0001] == Float(bitPattern: 0x3380_0000) && floats[0x7BFF] == 65504)
    }

    @Test func f16DecodingMatchesSwiftFloat16() {
        let patterns = allSixteenBitPatterns()
        let floats = decode(.f16, patterns, count: 65536)
        for bits in 0..<65536 {
            let reference = Float(Float16(bitPattern: UInt16(bits)))
            if reference.isNaN { #expect(floats[bits].isNaN) } else { #expect(floats[bits].bitPattern == reference.bitPattern, "half \(bits)") }
        }
    }

    @Test func f16EncodingRoundsLikeSwiftFloat16() {
        // Random floats over the whole range plus values near every boundary.
        var values: [Float] = [0, -0, 65504, 65519.99, 65520, 65536, 1e-8, 2.98e-8, 5.96e-8, 6.1e-5, 6.0975552e-5, .infinity, -.infinity]
        let random = TestFiles.randomBytes(count: 4 * 200_000, seed: 7)
        for index in 0..<200_000 {
            let bits = UInt32(random[4 * index]) | UInt32(random[4 * index + 1]) << 8 | UInt32(random[4 * index + 2]) << 16 | UInt32(random[4 * index + 3]) << 24
            // Squeeze exponents toward the half range so most values are interesting.
            let squeezed = (bits & 0x807F_FFFF) | ((0x30 + (bits >> 23) % 0x20) << 23)
            values.append(Float(bitPattern: index % 2 == 0 ? squeezed : bits))
        }
        let encoded = encode(.f16, values)
        for (index, value) in values.enumerated() where !value.isNaN {
            let expected = Float16(value).bitPattern
            let actual = UInt16(encoded[2 * index]) | UInt16(encoded[2 * index + 1]) << 8
            #expect(actual == expected, "float bits \(String(value.bitPattern, radix: 16))")
        }
    }

    @Test func bf16RoundsToNearestEven() {
        let one: UInt32 = 0x3F80_0000
        let cases: [(UInt32, UInt16)] = [
            (one, 0x3F80),
            (one | 0x8000, 0x3F80),          // exactly halfway, even below: stays
            (one | 0x1_8000, 0x3F82),        // exactly halfway, odd below: rounds up to even
            (one | 0x8001, 0x3F81),          // just above halfway: up
            (one | 0x7FFF, 0x3F80),          // just below halfway: down
            (0x7F7F_FFFF, 0x7F80),           // largest float rounds to infinity
            (0x7F80_0000, 0x7F80),
            (0xFF80_0000, 0xFF80),
            (0x7F80_0001, 0x7FC0),           // NaN whose payload is only in the low bits stays NaN
            (0xFFC0_0000, 0xFFC0),
        ]
        for (input, expected) in cases {
            #expect(singleToBFloat16Bits(input) == expected, "0x\(String(input, radix: 16))")
        }
    }

    @Test func f32AndF64RoundTrip() {
        let values: [Float] = [0, -0, 1, -2.5, .pi, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .infinity, -.infinity]
        #expect(decode(.f32, encode(.f32, values), count: values.count).map(\.bitPattern) == values.map(\.bitPattern))
        #expect(decode(.f64, encode(.f64, values), count: values.count).map(\.bitPattern) == values.map(\.bitPattern))
        #expect(decode(.f64, encode(.f64, [.nan]), count: 1)[0].isNaN)
    }

    @Test func f64NarrowsToNearestFloat() {
        let double = 1.0 + 0x1p-24 + 0x1p-30   // just above halfway between two floats
        var bytes = [UInt8](repeating: 0, count: 8)
        withUnsafeBytes(of: double.bitPattern.littleEndian) { for index in 0..<8 { bytes[index] = $0[index] } }
        #expect(decode(.f64, bytes, count: 1)[0] == 1.0 + 0x1p-23)
    }

    @Test(arguments: DType.allCases.filter { !$0.isConvertibleFloat })
    func refusesToConvertTypesPassedThroughByteForByte(_ dtype: DType) {
        var floats = [Float](repeating: 0, count: 1)
        let bytes = [UInt8](repeating: 0, count: 8)
        let ok = bytes.withUnsafeBytes { raw in floats.withUnsafeMutableBufferPointer { dtype.decode(raw, into: $0) } }
        #expect(!ok)
    }
}
