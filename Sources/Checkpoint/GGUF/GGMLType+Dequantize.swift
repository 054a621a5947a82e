/// Dequantization to Float32, bit for bit what gguf-py's
/// `gguf.quants.dequantize` computes (gguf-py 0.19, quants.py): the same
/// float32 products and sums in the same order, each rounded on its own
/// (no fused multiply-add; the package builds without contraction). The
/// block scales are float16 widened exactly to float32 first, as numpy's
/// `astype(np.float32)` does. Each kernel is a loop over whole blocks with
/// a fixed-length inner loop the compiler vectorises.
extension GGMLType {
    /// Decodes the whole blocks in `source` (`destination.count` elements,
    /// a multiple of `blockElementCount`, stored in exactly
    /// `destination.count / blockElementCount * blockByteCount` bytes) into
    /// `destination`. Returns false for a type `isDecodable` refuses.
    public func dequantize(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>
    ) -> Bool {
        guard isDecodable else { return false }
        if let dtype { return dtype.decode(source, into: destination) }
        let blockCount = destination.count / blockElementCount
        guard let input = source.baseAddress, let output = destination.baseAddress else { return true }
        switch self {
        case .q4_0: Self.dequantizeQ4_0(input, output, blockCount: blockCount)
        case .q4_1: Self.dequantizeQ4_1(input, output, blockCount: blockCount)
        case .q5_0: Self.dequantizeQ5_0(input, output, blockCount: blockCount)
        case .q5_1: Self.dequantizeQ5_1(input, output, blockCount: blockCount)
        case .q8_0: Self.dequantizeQ8_0(input, output, blockCount: blockCount)
        case .q2_K: Self.dequantizeQ2_K(input, output, blockCount: blockCount)
        case .q3_K: Self.dequantizeQ3_K(input, output, blockCount: blockCount)
        case .q4_K: Self.dequantizeQ4_K(input, output, blockCount: blockCount)
        case .q5_K: Self.dequantizeQ5_K(input, output, blockCount: blockCount)
        case .q6_K: Self.dequantizeQ6_K(input, output, blockCount: blockCount)
        default: return false  // checked: isDecodable lists exactly the types above and the plain ones
        }
        return true
    }

    /// Q4_0: a float16 scale d, then 16 bytes of 4-bit values (low nibbles
    /// are elements 0–15, high nibbles 16–31); x = d · (q − 8).
    static func dequantizeQ4_0(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 18
            let scale = half(bytes, at: 0)
            let quants = bytes + 2
            let values = output + block * 32
            for index in 0..<16 {
                let byte = quants.load(fromByteOffset: index, as: UInt8.self)
                values[index] = scale * Float(Int32(byte & 0x0F) - 8)
                values[index + 16] = scale * Float(Int32(byte >> 4) - 8)
            }
        }
    }

    /// Q4_1: scale d and minimum m (float16), then 4-bit values as in Q4_0;
    /// x = (d · q) + m.
    static func dequantizeQ4_1(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 20
            let scale = half(bytes, at: 0)
            let minimum = half(bytes, at: 2)
            let quants = bytes + 4
            let values = output + block * 32
            for index in 0..<16 {
                let byte = quants.load(fromByteOffset: index, as: UInt8.self)
                values[index] = scale * Float(byte & 0x0F) + minimum
                values[index + 16] = scale * Float(byte >> 4) + minimum
            }
        }
    }

    /// Q5_0: scale d, a little-endian u32 whose bit i is the fifth bit of
    /// element i, then 4-bit values as in Q4_0; x = d · (q − 16).
    static func dequantizeQ5_0(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 22
            let scale = half(bytes, at: 0)
            let highBits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            let quants = bytes + 6
            let values = output + block * 32
            for index in 0..<16 {
                let byte = UInt32(quants.load(fromByteOffset: index, as: UInt8.self))
                let low = byte & 0x0F | (highBits >> UInt32(index) & 1) << 4
                let high = byte >> 4 | (highBits >> UInt32(index + 16) & 1) << 4
                values[index] = scale * Float(Int32(low) - 16)
                values[index + 16] = scale * Float(Int32(high) - 16)
            }
        }
    }

    /// Q5_1: scale d and minimum m, the fifth bits as in Q5_0, then 4-bit
    /// values; x = (d · q) + m.
    static func dequantizeQ5_1(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 24
            let scale = half(bytes, at: 0)
            let minimum = half(bytes, at: 2)
            let highBits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            let quants = bytes + 8
            let values = output + block * 32
            for index in 0..<16 {
                let byte = UInt32(quants.load(fromByteOffset: index, as: UInt8.self))
                let low = byte & 0x0F | (highBits >> UInt32(index) & 1) << 4
                let high = byte >> 4 | (highBits >> UInt32(index + 16) & 1) << 4
                values[index] = scale * Float(low) + minimum
                values[index + 16] = scale * Float(high) + minimum
            }
        }
    }

    /// Q8_0: scale d, then 32 signed bytes; x = q · d.
    static func dequantizeQ8_0(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 34
            let scale = half(bytes, at: 0)
            let quants = bytes + 2
            let values = output + block * 32
            for index in 0..<32 {
                values[index] = Float(quants.load(fromByteOffset: index, as: Int8.self)) * scale
            }
        }
    }

    /// The float16 at `offset` (little-endian), widened exactly to float32
    /// with its NaN payload kept, as numpy widens it.
    @inline(__always)
    static func half(_ bytes: UnsafeRawPointer, at offset: Int) -> Float {
        Float(
            bitPattern: halfToSingleBits(
                UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
    }
}
