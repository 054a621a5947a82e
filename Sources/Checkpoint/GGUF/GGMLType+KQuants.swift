/// The k-quants: super-blocks of 256 elements split into sub-blocks of 16
/// or 32 that share a scale (and a minimum), layouts as in ggml-common.h
/// and the arithmetic of gguf-py's quants.py (see `dequantize`). Each
/// kernel first computes a sub-block's float32 scale and minimum, then runs
/// a fixed-length inner loop over its elements.
extension GGMLType {
    /// Q2_K (84 bytes): 16 bytes of 4-bit scale (low) and minimum (high)
    /// per 16 elements, 64 bytes of 2-bit values, then d and dmin. Element
    /// e is bits 2·((e mod 128) / 32) of byte 32·(e / 128) + e mod 32;
    /// x = (d · scale) · q − (dmin · minimum).
    static func dequantizeQ2_K(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 84
            let scales = bytes
            let quants = bytes + 16
            let scale = half(bytes, at: 80)
            let minimumScale = half(bytes, at: 82)
            for group in 0..<16 {
                let packed = scales.load(fromByteOffset: group, as: UInt8.self)
                let groupScale = scale * Float(packed & 0x0F)
                let groupMinimum = minimumScale * Float(packed >> 4)
                let source = quants + (group / 8) * 32 + (group % 2) * 16
                let shift = UInt8((group % 8) / 2 * 2)
                let values = output + block * 256 + group * 16
                for index in 0..<16 {
                    let quant = source.load(fromByteOffset: index, as: UInt8.self) >> shift & 3
                    values[index] = groupScale * Float(quant) - groupMinimum
                }
            }
        }
    }

    /// Q3_K (110 bytes): 32 bytes of high-bit masks, 64 bytes of 2-bit
    /// values laid out as in Q2_K, 12 bytes of 6-bit scales, then d.
    /// Element e's high bit is bit e / 32 of mask byte e mod 32, and a
    /// clear bit subtracts 4; x = (d · (scale − 32)) · q.
    static func dequantizeQ3_K(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 110
            let masks = bytes
            let quants = bytes + 32
            let packedScales = bytes + 96
            let scale = half(bytes, at: 108)
            for group in 0..<16 {
                let lowBits =
                    group < 8
                    ? packedScales.load(fromByteOffset: group, as: UInt8.self) & 0x0F
                    : packedScales.load(fromByteOffset: group - 8, as: UInt8.self) >> 4
                let highBits =
                    packedScales.load(fromByteOffset: 8 + group % 4, as: UInt8.self) >> UInt8(group / 4 * 2) & 3
                let groupScale = scale * Float(Int32(lowBits | highBits << 4) - 32)
                let source = quants + (group / 8) * 32 + (group % 2) * 16
                let shift = UInt8((group % 8) / 2 * 2)
                let maskSource = masks + (group % 2) * 16
                let maskShift = UInt8(group / 2)
                let values = output + block * 256 + group * 16
                for index in 0..<16 {
                    let low = Int32(source.load(fromByteOffset: index, as: UInt8.self) >> shift & 3)
                    let high = Int32(maskSource.load(fromByteOffset: index, as: UInt8.self) >> maskShift & 1)
                    values[index] = groupScale * Float(low - (high ^ 1) << 2)
                }
            }
        }
    }

    /// Q4_K (144 bytes): d, dmin, 12 bytes of 6-bit scales and minimums
    /// for 8 sub-blocks of 32 (`scaleAndMinimum`), then 128 bytes of 4-bit
    /// values: sub-block 2j + h is nibble h of bytes 32j ..< 32j + 32;
    /// x = (d · scale) · q − (dmin · minimum).
    static func dequantizeQ4_K(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 144
            let scale = half(bytes, at: 0)
            let minimumScale = half(bytes, at: 2)
            let quants = bytes + 16
            for subBlock in 0..<8 {
                let (packedScale, packedMinimum) = scaleAndMinimum(bytes + 4, subBlock: subBlock)
                let subScale = scale * Float(packedScale)
                let subMinimum = minimumScale * Float(packedMinimum)
                let source = quants + (subBlock / 2) * 32
                let shift = UInt8(subBlock % 2 * 4)
                let values = output + block * 256 + subBlock * 32
                for index in 0..<32 {
                    let quant = source.load(fromByteOffset: index, as: UInt8.self) >> shift & 0x0F
                    values[index] = subScale * Float(quant) - subMinimum
                }
            }
        }
    }

    /// Q5_K (176 bytes): as Q4_K with 32 bytes of fifth bits between the
    /// scales and the 4-bit values: sub-block i takes bit i of byte l.
    static func dequantizeQ5_K(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 176
            let scale = half(bytes, at: 0)
            let minimumScale = half(bytes, at: 2)
            let fifthBits = bytes + 16
            let quants = bytes + 48
            for subBlock in 0..<8 {
                let (packedScale, packedMinimum) = scaleAndMinimum(bytes + 4, subBlock: subBlock)
                let subScale = scale * Float(packedScale)
                let subMinimum = minimumScale * Float(packedMinimum)
                let source = quants + (subBlock / 2) * 32
                let shift = UInt8(subBlock % 2 * 4)
                let values = output + block * 256 + subBlock * 32
                for index in 0..<32 {
                    let low = source.load(fromByteOffset: index, as: UInt8.self) >> shift & 0x0F
                    let high = fifthBits.load(fromByteOffset: index, as: UInt8.self) >> UInt8(subBlock) & 1
                    values[index] = subScale * Float(low | high << 4) - subMinimum
                }
            }
        }
    }

    /// Q6_K (210 bytes): 128 bytes of low 4 bits (element e: nibble
    /// (e mod 128) / 64 of byte 64·(e / 128) + e mod 64), 64 bytes of high
    /// 2 bits laid out as Q2_K's values, 16 signed 8-bit scales, then d;
    /// x = (d · scale) · (q − 32).
    static func dequantizeQ6_K(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, blockCount: Int) {
        for block in 0..<blockCount {
            let bytes = input + block * 210
            let lowQuants = bytes
            let highQuants = bytes + 128
            let scales = bytes + 192
            let scale = half(bytes, at: 208)
            for group in 0..<16 {
                let groupScale = scale * Float(scales.load(fromByteOffset: group, as: Int8.self))
                let part = group / 8
                let within = group % 8
                let lowSource = lowQuants + part * 64 + (within % 4) * 16
                let lowShift = UInt8(within / 4 * 4)
                let highSource = highQuants + part * 32 + (within % 2) * 16
                let highShift = UInt8(within / 2 * 2)
                let values = output + block * 256 + group * 16
                for index in 0..<16 {
                    let low = lowSource.load(fromByteOffset: index, as: UInt8.self) >> lowShift & 0x0F
                    let high = highSource.load(fromByteOffset: index, as: UInt8.self) >> highShift & 3
                    values[index] = groupScale * Float(Int32(low | high << 4) - 32)
                }
            }
        }
    }

    /// The 6-bit scale and minimum of sub-block `subBlock` (0–7) from the
    /// 12 packed bytes of Q4_K and Q5_K: bytes 0–3 hold the scales of 0–3
    /// (low 6 bits) and the top bits of 4–7's, bytes 4–7 the same for the
    /// minimums, bytes 8–11 the low 4 bits of 4–7's scale (low nibble) and
    /// minimum (high nibble).
    @inline(__always)
    static func scaleAndMinimum(_ packed: UnsafeRawPointer, subBlock: Int) -> (scale: UInt8, minimum: UInt8) {
        if subBlock < 4 {
            return (
                packed.load(fromByteOffset: subBlock, as: UInt8.self) & 0x3F,
                packed.load(fromByteOffset: subBlock + 4, as: UInt8.self) & 0x3F
            )
        }
        let shared = packed.load(fromByteOffset: subBlock + 4, as: UInt8.self)
        return (
            shared & 0x0F | (packed.load(fromByteOffset: subBlock - 4, as: UInt8.self) >> 6) << 4,
            shared >> 4 | (packed.load(fromByteOffset: subBlock, as: UInt8.self) >> 6) << 4
        )
    }
}
