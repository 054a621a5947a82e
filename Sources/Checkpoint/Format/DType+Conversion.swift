import Base
import CKernels

/// Conversions between stored floating-point types and Float32, the type
/// Smelt computes in. Each is one plain loop over buffers so the compiler
/// can vectorise it; rounding to a narrower type is to nearest, ties to
/// even, and NaN and the infinities survive (REFERENCE.md, precision rule).
extension DType {
    /// Converts `count` elements stored at `source` (little-endian, this
    /// dtype) into `destination`. Returns false for a dtype Smelt does not
    /// compute with.
    public func decode(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        let count = destination.count
        guard let base = source.baseAddress, let output = destination.baseAddress else { return count == 0 }
        switch self {
        case .f32:
            for index in 0..<count {
                output[index] = Float(
                    bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            }
        case .bf16:
            #if _endian(little)
            smelt_decode_bf16(base, output, count)  // the AVX2 loop where the CPU has it
            #else
            for index in 0..<count {
                output[index] = Float(
                    bitPattern: UInt32(
                        UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))) << 16)
            }
            #endif
        case .f16:
            for index in 0..<count {
                output[index] = Float(
                    bitPattern: halfToSingleBits(
                        UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))))
            }
        case .f64:
            for index in 0..<count {
                output[index] = Float(
                    Double(
                        bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                    ))
            }
        default:
            return false
        }
        return true
    }

    /// Rounds each Float32 of `source` once into this dtype at `destination`
    /// (which holds `source.count` elements). Returns false for a dtype Smelt
    /// does not compute with.
    public func encode(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableRawBufferPointer) -> Bool {
        let count = source.count
        guard let input = source.baseAddress, let base = destination.baseAddress else { return count == 0 }
        switch self {
        case .f32:
            for index in 0..<count {
                base.storeBytes(of: input[index].bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
            }
        case .bf16:
            #if _endian(little)
            smelt_encode_bf16(input, base, count)  // the AVX2 loop where the CPU has it
            #else
            if Int(bitPattern: base) % 2 == 0 {
                // Aligned: a branch-free loop over UInt16s that the compiler vectorises.
                let output = base.assumingMemoryBound(to: UInt16.self)
                for index in 0..<count {
                    output[index] = singleToBFloat16BitsBranchless(input[index].bitPattern).littleEndian
                }
            } else {
                for index in 0..<count {
                    base.storeBytes(
                        of: singleToBFloat16Bits(input[index].bitPattern).littleEndian, toByteOffset: index * 2,
                        as: UInt16.self)
                }
            }
            #endif
        case .f16:
            for index in 0..<count {
                base.storeBytes(
                    of: singleToHalfBits(input[index].bitPattern).littleEndian, toByteOffset: index * 2, as: UInt16.self
                )
            }
        case .f64:
            for index in 0..<count {
                base.storeBytes(
                    of: Double(input[index]).bitPattern.littleEndian, toByteOffset: index * 8, as: UInt64.self)
            }
        default:
            return false
        }
        return true
    }
}

/// Float32 bits to BFloat16 bits, to nearest even. A NaN stays a NaN: its
/// top mantissa bits are kept and, if those are all zero, the quiet bit is
/// set so it does not turn into an infinity.
@inline(__always)
public func singleToBFloat16Bits(_ bits: UInt32) -> UInt16 {
    if bits & 0x7FFF_FFFF > 0x7F80_0000 {
        let upper = UInt16(truncatingIfNeeded: bits >> 16)
        return upper & 0x007F == 0 ? upper | 0x0040 : upper
    }
    let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
    return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
}

/// `singleToBFloat16Bits` with selects instead of a branch, for vector loops.
@inline(__always)
func singleToBFloat16BitsBranchless(_ bits: UInt32) -> UInt16 {
    let upper = bits >> 16
    let quietNaN = upper | (upper & 0x7F == 0 ? 0x40 : 0)
    let rounded = (bits &+ 0x7FFF &+ (upper & 1)) >> 16
    return UInt16(truncatingIfNeeded: bits & 0x7FFF_FFFF > 0x7F80_0000 ? quietNaN : rounded)
}

/// IEEE binary16 bits to binary32 bits, exactly (every half is a float).
@inline(__always)
public func halfToSingleBits(_ half: UInt16) -> UInt32 {
    let sign = UInt32(half & 0x8000) << 16
    let exponent = UInt32(half >> 10) & 0x1F
    let mantissa = UInt32(half & 0x03FF)
    if exponent == 0x1F {
        return sign | 0x7F80_0000 | (mantissa << 13)  // infinity or NaN, payload kept
    }
    if exponent != 0 {
        return sign | ((exponent + 112) << 23) | (mantissa << 13)
    }
    if mantissa == 0 { return sign }
    // Subnormal half: normalise into a float exponent.
    var shifted = mantissa
    var adjustedExponent: UInt32 = 113
    while shifted & 0x0400 == 0 {
        shifted <<= 1
        adjustedExponent -= 1
    }
    return sign | (adjustedExponent << 23) | ((shifted & 0x03FF) << 13)
}

/// IEEE binary32 bits to binary16 bits, to nearest even, with overflow to
/// infinity, gradual underflow to subnormals, and NaN kept a NaN.
@inline(__always)
public func singleToHalfBits(_ bits: UInt32) -> UInt16 {
    let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
    let magnitude = bits & 0x7FFF_FFFF
    if magnitude >= 0x7F80_0000 {
        if magnitude == 0x7F80_0000 { return sign | 0x7C00 }
        let payload = UInt16(truncatingIfNeeded: (magnitude >> 13) & 0x03FF)
        return sign | 0x7C00 | (payload == 0 ? 0x0200 : payload)
    }
    if magnitude >= 0x4780_0000 { return sign | 0x7C00 }  // ≥ 65536: beyond the largest half even after rounding
    if magnitude >= 0x3880_0000 {
        // Normal half: rebias the exponent, round the 13 dropped bits to even.
        let rebased = magnitude &- 0x3800_0000
        let rounded = rebased &+ 0x0FFF &+ ((rebased >> 13) & 1)
        return sign | UInt16(truncatingIfNeeded: rounded >> 13)  // a carry into the exponent is correct rounding, up to infinity
    }
    if magnitude < 0x3300_0000 { return sign }  // below half the smallest subnormal: rounds to zero
    // Subnormal half: shift the full significand into place, then round.
    let exponent = magnitude >> 23
    let significand = (magnitude & 0x007F_FFFF) | 0x0080_0000
    let shift = 126 - exponent  // 14...24 for this range
    let truncated = significand >> shift
    let remainder = significand & ((1 << shift) - 1)
    let halfway: UInt32 = 1 << (shift - 1)
    var result = truncated
    if remainder > halfway || (remainder == halfway && truncated & 1 == 1) { result += 1 }
    return sign | UInt16(truncatingIfNeeded: result)
}
