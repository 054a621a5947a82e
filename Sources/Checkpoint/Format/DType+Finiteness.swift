import Base

/// NaN and infinity in stored floating-point types: an element is one when
/// its exponent field is all ones (IEEE 754, and bfloat16 alike), that is
/// when its bits without the sign reach those of +infinity.
extension DType {
    /// Whether any element of `bytes` (little-endian, this dtype) is a NaN
    /// or an infinity; false for types Smelt does not compute with. One
    /// branch-free pass, a maximum over the bits without the sign, which the
    /// compiler vectorises: cheap enough to run on every merged chunk.
    public func containsNonFinite(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        switch self {
        case .f32:
            var largest: UInt32 = 0
            for index in 0..<bytes.count / 4 {
                let bits = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                largest = max(largest, bits & 0x7FFF_FFFF)
            }
            return largest >= 0x7F80_0000
        case .bf16, .f16:
            var largest: UInt16 = 0
            for index in 0..<bytes.count / 2 {
                let bits = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                largest = max(largest, bits & 0x7FFF)
            }
            return largest >= (self == .bf16 ? 0x7F80 : 0x7C00)
        case .f64:
            var largest: UInt64 = 0
            for index in 0..<bytes.count / 8 {
                let bits = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                largest = max(largest, bits & 0x7FFF_FFFF_FFFF_FFFF)
            }
            return largest >= 0x7FF0_0000_0000_0000
        default:
            return false
        }
    }

    /// How many elements of `bytes` are NaN or infinite, and the first of
    /// them (its index and value), for a message: the slow, rare path after
    /// `containsNonFinite` found one.
    public func nonFiniteElements(_ bytes: UnsafeRawBufferPointer) -> (count: Int, first: (index: Int, value: Double)?)
    {
        guard isConvertibleFloat else { return (0, nil) }
        let width = bitsPerElement / 8
        var count = 0
        var first: (index: Int, value: Double)?
        for index in 0..<bytes.count / width {
            let value = element(bytes, at: index)
            guard !value.isFinite else { continue }
            count += 1
            if first == nil { first = (index, value) }
        }
        return (count, first)
    }

    /// Element `index` of `bytes` (this dtype, one of the computed ones) as a Double, exactly.
    private func element(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Double {
        switch self {
        case .f64:
            return Double(
                bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
        case .f32:
            return Double(
                Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            )
        default:
            var value = Float(0)
            let element = UnsafeRawBufferPointer(rebasing: bytes[index * 2..<index * 2 + 2])
            _ = withUnsafeMutablePointer(to: &value) {
                decode(element, into: UnsafeMutableBufferPointer(start: $0, count: 1))
            }
            return Double(value)
        }
    }
}
