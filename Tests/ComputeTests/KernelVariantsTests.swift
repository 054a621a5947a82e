import CKernels
import Compute
import Testing

/// The loops of CKernels give the same bits in every variant (the x86-64
/// baseline, AVX2 and AVX-512F) and the same bits as the scalar definitions they
/// replace, on values that exercise every branch: NaNs with and without
/// payload, infinities, subnormals, signed zeros, rounding ties.
@Suite(.serialized) struct KernelVariantsTests {
    /// Float32 bit patterns: the edges, then pseudo-random ones.
    static func specialAndRandomBits(count: Int) -> [UInt32] {
        let edges: [UInt32] = [
            0, 0x8000_0000, 1, 0x8000_0001, 0x007F_FFFF, 0x0080_0000, 0x3F80_0000, 0xBF80_0000,
            0x3F80_8000, 0x3F81_8000, 0x3F80_7FFF, 0x3F80_8001,  // bf16 ties to even, below and above
            0x7F7F_FFFF, 0xFF7F_FFFF, 0x7F7F_8000,  // the largest floats; rounds up to infinity
            0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0x7F80_FFFF, 0x7FBF_FFFF, 0xFF81_0000,
        ]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let random = (0..<max(0, count - edges.count)).map { _ -> UInt32 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt32(truncatingIfNeeded: state >> 16)
        }
        return edges + random
    }

    /// Runs `body` once per level this CPU has and returns its results.
    static func atEveryLevel<Result>(_ body: () -> Result) -> [Result] {
        defer { _ = smelt_kernels_set_level(smelt_kernels_best_level()) }
        return (0...smelt_kernels_best_level()).map { level in
            #expect(smelt_kernels_set_level(Int32(level)) == level)
            return body()
        }
    }

    static func bfloat16Reference(_ bits: UInt32) -> UInt16 {
        if bits & 0x7FFF_FFFF > 0x7F80_0000 {
            let upper = UInt16(truncatingIfNeeded: bits >> 16)
            return upper & 0x007F == 0 ? upper | 0x0040 : upper
        }
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    @Test func theMachineRunsTheLevelItReports() {
        #if arch(x86_64)
        #expect(smelt_kernels_best_level() >= 0 && smelt_kernels_best_level() <= 2)
        #else
        #expect(smelt_kernels_best_level() == 0)
        #endif
        #expect(smelt_kernels_set_level(-3) == 0)
        #expect(smelt_kernels_set_level(99) == smelt_kernels_best_level())
    }

    @Test(arguments: [0, 1, 7, 8, 33, 4099])
    func bfloat16EncodingIsTheSameInEveryVariant(count: Int) {
        let bits = Array(Self.specialAndRandomBits(count: count).prefix(count))
        let values = bits.map { Float(bitPattern: $0) }
        // One byte of offset: the output need not be aligned.
        let results = Self.atEveryLevel { () -> [UInt8] in
            var bytes = [UInt8](repeating: 0xAA, count: 2 * count + 1)
            bytes.withUnsafeMutableBytes { smelt_encode_bf16(values, $0.baseAddress! + 1, count) }
            return bytes
        }
        let expected: [UInt8] = [0xAA] + bits.flatMap { bits -> [UInt8] in
            let half = Self.bfloat16Reference(bits)
            return [UInt8(half & 0xFF), UInt8(half >> 8)]
        }
        for result in results { #expect(result == expected) }
    }

    @Test(arguments: [0, 1, 15, 16, 4097])
    func bfloat16DecodingIsExactInEveryVariant(count: Int) {
        let halves = Self.specialAndRandomBits(count: count).prefix(count).map { UInt16(truncatingIfNeeded: $0 >> 7) }
        let bytes: [UInt8] = [0x55] + halves.flatMap { half -> [UInt8] in [UInt8(half & 0xFF), UInt8(half >> 8)] }
        let results = Self.atEveryLevel { () -> [UInt32] in
            var values = [Float](repeating: 0, count: count)
            bytes.withUnsafeBytes { source in
                values.withUnsafeMutableBufferPointer { smelt_decode_bf16(source.baseAddress! + 1, $0.baseAddress, count) }
            }
            return values.map(\.bitPattern)
        }
        for result in results { #expect(result == halves.map { UInt32($0) << 16 }) }
    }

    @Test(arguments: [Float(0.5), -1.25, Float(bitPattern: 0x0020_AAAA), .infinity, 0])
    func weightedAccumulationIsOneRoundingInEveryVariant(weight: Float) {
        let count = 1031
        let values = Self.specialAndRandomBits(count: count).map { Float(bitPattern: $0 & 0xBFFF_FFFF) }
        let start = Self.specialAndRandomBits(count: 2 * count).suffix(count).map { Float(bitPattern: $0 & 0xBEFF_FFFF) }
        let results = Self.atEveryLevel { () -> [UInt32] in
            var accumulator = start
            accumulator.withUnsafeMutableBufferPointer {
                smelt_accumulate_weighted($0.baseAddress, values, Double(weight), count)
            }
            return accumulator.map(\.bitPattern)
        }
        let expected = zip(start, values).map { Float(Double($0) + Double(weight) * Double($1)).bitPattern }
        for result in results { #expect(result == expected) }
    }

    @Test(arguments: [(UInt32(0), false), (0, true), (0x3A00_0000, false), (0x3A00_0000, true), (0x7F80_0000, true)])
    func keptTaskSelectsAndScalesAlikeInEveryVariant(cut: UInt32, includingEqual: Bool) {
        let count = 777
        let a = Self.specialAndRandomBits(count: count).map { Float(bitPattern: $0 & 0xBCFF_FFFF) }
        let b = a.enumerated().map { index, value in index % 5 == 0 ? value : Float(bitPattern: 0x3A00_0000) }
        for scale in [Float(0.75), -2, .infinity] {
            let results = Self.atEveryLevel { () -> [UInt32] in
                var out = [Float](repeating: .nan, count: count)
                out.withUnsafeMutableBufferPointer {
                    smelt_kept_task(a, b, cut, includingEqual ? 1 : 0, scale, $0.baseAddress, count)
                }
                return out.map(\.bitPattern)
            }
            let expected = zip(a, b).map { a, b -> UInt32 in
                let task = a - b
                let key = task.bitPattern & 0x7FFF_FFFF
                let selected = key > cut || (includingEqual && key == cut)
                return ((selected ? scale : 0 * scale) * task).bitPattern
            }
            for result in results { #expect(result == expected) }
        }
    }

    /// Values from −120 to 100 (past both clamps), −∞, and edges of the range reduction.
    static func exponentInputs(count: Int) -> [Float] {
        let edges: [Float] = [-.infinity, -87.3, -87.29, -87.31, 88.3, 88.31, 0, -0.0, 1e-30, 0.346_573_6, -0.346_573_6]
        var generator = SeededUnits(state: 0x9E37_79B9_7F4A_7C15)
        return Array((edges + (0..<count).map { _ in Float(generator.nextUnit() * 220 - 120) }).prefix(count))
    }

    /// The Swift definition: `VectorExponential.exp` lane by lane.
    static func scalarExponential(_ x: Float) -> Float { VectorExponential.exp(SIMD8(repeating: x))[0] }

    @Test(arguments: [0, 1, 7, 8, 9, 15, 16, 17, 24, 25, 1_024, 1_031])
    func exponentialLoopsMatchTheSwiftDefinitionInEveryVariant(count: Int) {
        let values = Self.exponentInputs(count: count)
        let shift: Float = 1.5
        var lanes = [Double](repeating: 0, count: 8)
        var laneSums = [Float](repeating: 0, count: 8)
        let whole = count / 8 * 8
        for index in 0..<whole {
            let e = Self.scalarExponential(values[index] - shift)
            lanes[index % 8] += Double(e)
            laneSums[index % 8] += e
        }
        var expectedSum = lanes.reduce(0, +)
        var expectedFloatSum = laneSums.reduce(0, +)
        let expectedValues = values.map { Self.scalarExponential($0 - shift) }
        for index in whole..<count {
            expectedSum += Double(expectedValues[index])
            expectedFloatSum += expectedValues[index]
        }
        let up = values.map { $0 * 0.25 + 1 }
        let expectedGates = zip(values, up).map { x, u in x / (1 + Self.scalarExponential(-x)) * u }
        for (sum, exponentiated, floatSum, gates) in Self.atEveryLevel({ () -> (Double, [Float], Float, [Float]) in
            var exponentiated = values
            let floatSum = exponentiated.withUnsafeMutableBufferPointer {
                smelt_exponentiate($0.baseAddress, count, shift)
            }
            var gates = values
            gates.withUnsafeMutableBufferPointer { smelt_silu_gate($0.baseAddress, up, count) }
            return (smelt_sum_exponentials(values, count, shift), exponentiated, floatSum, gates)
        }) {
            #expect(sum.bitPattern == expectedSum.bitPattern)
            #expect(floatSum.bitPattern == expectedFloatSum.bitPattern)
            #expect(exponentiated.map(\.bitPattern) == expectedValues.map(\.bitPattern))
            #expect(gates.map(\.bitPattern) == expectedGates.map(\.bitPattern))
        }
    }

    /// The rescale pass's sums: both chains in index order, a pruned term
    /// adding +0, the same bits as the plain loop.
    @Test(arguments: [0, 1, 7, 8, 33, 4099])
    func magnitudeSumsAddInIndexOrderInEveryVariant(count: Int) {
        // Finite values of every magnitude, signed zeros and subnormals among them.
        let bits = Array(Self.specialAndRandomBits(count: 2 * count).prefix(2 * count))
        let a = bits.prefix(count).map { Float(bitPattern: $0 & 0xBFFF_FFFF) }
        let b = bits.dropFirst(count).map { Float(bitPattern: $0 & 0xBFFF_FFFF) }
        let keep = bits.map { Float($0 >> 31) }.suffix(count)
        var expectedTotal = 0.0, expectedKept = 0.0
        for index in 0..<count {
            let magnitude = Double(abs(a[index] - b[index]))
            expectedTotal += magnitude
            if keep[keep.startIndex + index] != 0 { expectedKept += magnitude }
        }
        for (total, kept) in Self.atEveryLevel({ () -> (Double, Double) in
            var total = 0.0, kept = 0.0
            Array(keep).withUnsafeBufferPointer { smelt_magnitude_sums(a, b, $0.baseAddress, count, &total, &kept) }
            return (total, kept)
        }) {
            #expect(total.bitPattern == expectedTotal.bitPattern)
            #expect(kept.bitPattern == expectedKept.bitPattern)
        }
    }

    /// Keep decisions packed one bit each, least significant first, and
    /// unpacked to +1 and +0.
    @Test(arguments: [0, 1, 7, 8, 33, 4099])
    func keepBitsPackAndUnpackInEveryVariant(count: Int) {
        let bits = Array(Self.specialAndRandomBits(count: count).prefix(count))
        let decisions = bits.map { Float($0 & 1) }
        var expectedPacked = [UInt8](repeating: 0, count: (count + 7) / 8)
        for index in 0..<count where decisions[index] != 0 { expectedPacked[index / 8] |= 1 << UInt8(index % 8) }
        for (packed, unpacked) in Self.atEveryLevel({ () -> ([UInt8], [Float]) in
            var packed = [UInt8](repeating: 0xFF, count: (count + 7) / 8)
            var unpacked = [Float](repeating: -1, count: count)
            packed.withUnsafeMutableBufferPointer { smelt_pack_nonzero(decisions, $0.baseAddress, count) }
            unpacked.withUnsafeMutableBufferPointer { smelt_unpack_bits(packed, $0.baseAddress, count) }
            return (packed, unpacked)
        }) {
            #expect(packed == expectedPacked)
            #expect(unpacked.map(\.bitPattern) == decisions.map(\.bitPattern))
        }
    }

    /// The radix sort's scan: OR, AND, lowest and highest of the keys in
    /// the high halves, whatever the payloads.
    @Test(arguments: [0, 1, 7, 8, 33, 4099])
    func keyBoundsAreTheSameInEveryVariant(count: Int) {
        let bits = Array(Self.specialAndRandomBits(count: 2 * count).prefix(2 * count))
        let entries = (0..<count).map { UInt64(bits[$0]) << 32 | UInt64(bits[count + $0]) }
        let keys = bits.prefix(count)
        let expected = [
            keys.reduce(0, |), keys.reduce(.max, &), keys.min() ?? .max, keys.max() ?? 0,
        ]
        for bounds in Self.atEveryLevel({ () -> [UInt32] in
            var bounds = [UInt32](repeating: 7, count: 4)
            bounds.withUnsafeMutableBufferPointer { smelt_key_bounds(entries, count, $0.baseAddress) }
            return bounds
        }) {
            #expect(bounds == expected)
        }
    }
}

/// A seeded xorshift for reproducible test inputs.
private struct SeededUnits {
    var state: UInt64
    mutating func nextUnit() -> Double {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Double(state >> 11) / Double(1 << 53)
    }
}
