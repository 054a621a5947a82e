import Base
/// The closed list of safetensors element types (STYLE.md), each sized in
/// bits. Types Smelt computes with convert to and from Float32; every other
/// type is passed through byte for byte.
public enum DType: String, CaseIterable, Sendable {
    case bool = "BOOL", u8 = "U8", i8 = "I8"
    case f8E5M2 = "F8_E5M2", f8E4M3 = "F8_E4M3", f8E8M0 = "F8_E8M0"
    case f8E4M3FNUZ = "F8_E4M3FNUZ", f8E5M2FNUZ = "F8_E5M2FNUZ"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case f64 = "F64", i64 = "I64", u64 = "U64", c64 = "C64"
    case f4 = "F4", f6E2M3 = "F6_E2M3", f6E3M2 = "F6_E3M2"

    /// Bits per element.
    public var bitsPerElement: Int {
        switch self {
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0, .f8E4M3FNUZ, .f8E5M2FNUZ: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .f64, .i64, .u64, .c64: 64
        case .f4: 4
        case .f6E2M3, .f6E3M2: 6
        }
    }

    /// Whether Smelt converts this type to and from Float32 for arithmetic.
    public var isConvertibleFloat: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: true
        default: false
        }
    }

    /// Whether this is an integer or boolean type (buffers, masks), which a
    /// merge copies rather than computes.
    public var isIntegerOrBool: Bool {
        switch self {
        case .bool, .u8, .i8, .i16, .u16, .i32, .u32, .i64, .u64: true
        default: false
        }
    }

    /// Bytes per element for the byte-aligned types (nil for F4 and F6).
    public var bytesPerElement: Int? {
        bitsPerElement % 8 == 0 ? bitsPerElement / 8 : nil
    }

    /// Bytes taken by `shape`, or nil when the size overflows 64 bits or is
    /// not a whole number of bytes.
    public func byteCount(shape: [UInt64]) -> UInt64? {
        var bits = UInt64(bitsPerElement)
        for dimension in shape {
            let (product, overflow) = bits.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            bits = product
        }
        return bits % 8 == 0 ? bits / 8 : nil
    }
}
