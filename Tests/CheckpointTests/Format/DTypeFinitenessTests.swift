import Base
import Checkpoint
import Testing

/// Finding NaNs and infinities in stored bytes: the exponent field all
/// ones, in every computed dtype, at every position of a buffer (the vector
/// loops and their scalar tails alike).
@Suite struct DTypeFinitenessTests {
    /// `count` elements of zeros with `pattern` (little-endian, `width` bytes) at `position`.
    static func buffer(width: Int, count: Int, pattern: UInt64, at position: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: width * count)
        for byte in 0..<width { bytes[position * width + byte] = UInt8(truncatingIfNeeded: pattern >> (8 * byte)) }
        return bytes
    }

    static func expect(_ dtype: DType, _ bytes: [UInt8], nonFiniteAt position: Int?) {
        bytes.withUnsafeBytes { raw in
            #expect(dtype.containsNonFinite(raw) == (position != nil), "\(dtype) \(bytes)")
            let (count, first) = dtype.nonFiniteElements(raw)
            #expect(count == (position == nil ? 0 : 1) && first?.index == position, "\(dtype) \(bytes)")
        }
    }

    @Test(arguments: [DType.bf16, .f16])
    func findsEverySixteenBitNaNAndInfinity(dtype: DType) {
        for pattern in 0..<65536 {
            let bits = UInt16(pattern)
            let value = dtype == .bf16 ? Float(bitPattern: UInt32(bits) << 16) : Float(Float16(bitPattern: bits))
            let position = pattern % 37
            let bytes = Self.buffer(width: 2, count: 37, pattern: UInt64(bits), at: position)
            Self.expect(dtype, bytes, nonFiniteAt: value.isFinite ? nil : position)
        }
    }

    static let float32Patterns: [(bits: UInt32, isFinite: Bool)] = [
        (Float.nan.bitPattern, false), (Float.infinity.bitPattern, false), ((-Float.infinity).bitPattern, false),
        (0x7F80_0001, false), (0xFFFF_FFFF, false), (Float.greatestFiniteMagnitude.bitPattern, true),
        ((-Float.greatestFiniteMagnitude).bitPattern, true), (Float.leastNonzeroMagnitude.bitPattern, true),
        ((-0.0 as Float).bitPattern, true), (0x7F7F_FFFF, true),
    ]

    @Test func findsFloat32NaNsAndInfinitiesAtEveryPosition() {
        for (bits, isFinite) in Self.float32Patterns {
            for position in 0..<19 {
                let bytes = Self.buffer(width: 4, count: 19, pattern: UInt64(bits), at: position)
                Self.expect(.f32, bytes, nonFiniteAt: isFinite ? nil : position)
            }
        }
    }

    @Test func findsFloat64NaNsAndInfinitiesButNotLargeFiniteValues() {
        let patterns: [(UInt64, Bool)] = [
            (Double.nan.bitPattern, false), (Double.infinity.bitPattern, false),
            ((-Double.infinity).bitPattern, false), (Double.greatestFiniteMagnitude.bitPattern, true),
            ((1e300 as Double).bitPattern, true), ((-0.0 as Double).bitPattern, true),
        ]
        for (bits, isFinite) in patterns {
            for position in 0..<11 {
                let bytes = Self.buffer(width: 8, count: 11, pattern: bits, at: position)
                Self.expect(.f64, bytes, nonFiniteAt: isFinite ? nil : position)
            }
        }
    }

    @Test(arguments: [DType.i32, .u32, .u16, .i64])
    func integerTypesHoldNoNonFiniteValues(dtype: DType) {
        let width = dtype.bitsPerElement / 8
        let bytes = Self.buffer(width: width, count: 9, pattern: .max, at: 4)
        Self.expect(dtype, bytes, nonFiniteAt: nil)
    }
}
