/// The tensor types a GGUF file may name: ggml's `enum ggml_type` as
/// gguf-py 0.19 lists it (`GGMLQuantizationType`, `GGML_QUANT_SIZES`).
/// Ids of types ggml removed (4, 5, 31–33, 36–38) are not in the list.
///
/// Every type stores its elements in blocks: `blockElementCount` elements
/// in `blockByteCount` bytes (one element per block for the plain types).
public enum GGMLType: UInt32, CaseIterable, Sendable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_XXS = 16, iq2_XS = 17, iq3_XXS = 18, iq1_S = 19, iq4_NL = 20, iq3_S = 21, iq2_S = 22, iq4_XS = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_M = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35, mxfp4 = 39, nvfp4 = 40, q1_0 = 41

    /// Elements in a k-quant super-block (ggml's QK_K).
    static let superBlockElementCount = 256

    /// The type's name as ggml spells it ("Q4_K", "BF16").
    public var name: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"
        case .q8_1: "Q8_1"
        case .q2_K: "Q2_K"
        case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"
        case .q5_K: "Q5_K"
        case .q6_K: "Q6_K"
        case .q8_K: "Q8_K"
        case .iq2_XXS: "IQ2_XXS"
        case .iq2_XS: "IQ2_XS"
        case .iq3_XXS: "IQ3_XXS"
        case .iq1_S: "IQ1_S"
        case .iq4_NL: "IQ4_NL"
        case .iq3_S: "IQ3_S"
        case .iq2_S: "IQ2_S"
        case .iq4_XS: "IQ4_XS"
        case .i8: "I8"
        case .i16: "I16"
        case .i32: "I32"
        case .i64: "I64"
        case .f64: "F64"
        case .iq1_M: "IQ1_M"
        case .bf16: "BF16"
        case .tq1_0: "TQ1_0"
        case .tq2_0: "TQ2_0"
        case .mxfp4: "MXFP4"
        case .nvfp4: "NVFP4"
        case .q1_0: "Q1_0"
        }
    }

    /// Elements per encoded block.
    public var blockElementCount: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_NL, .mxfp4: 32
        case .nvfp4: 64
        case .q1_0: 128
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K, .iq2_XXS, .iq2_XS, .iq3_XXS, .iq1_S, .iq3_S, .iq2_S, .iq4_XS,
            .iq1_M, .tq1_0, .tq2_0:
            Self.superBlockElementCount
        }
    }

    /// Bytes per encoded block (gguf-py's `GGML_QUANT_SIZES`).
    public var blockByteCount: Int {
        let superBlock = Self.superBlockElementCount
        return switch self {
        case .i8: 1
        case .f16, .bf16, .i16: 2
        case .f32, .i32: 4
        case .f64, .i64: 8
        case .q4_0, .iq4_NL: 2 + 16
        case .q4_1: 2 + 2 + 16
        case .q5_0: 2 + 4 + 16
        case .q5_1: 2 + 2 + 4 + 16
        case .q8_0: 2 + 32
        case .q8_1: 4 + 4 + 32
        case .mxfp4: 1 + 16
        case .nvfp4: 4 + 32
        case .q1_0: 2 + 16
        case .q2_K: 2 + 2 + superBlock / 16 + superBlock / 4
        case .q3_K: 2 + superBlock / 4 + superBlock / 8 + 12
        case .q4_K: 2 + 2 + superBlock / 2 + 12
        case .q5_K: 2 + 2 + superBlock / 2 + superBlock / 8 + 12
        case .q6_K: 2 + superBlock / 2 + superBlock / 4 + superBlock / 16
        case .q8_K: 4 + superBlock + superBlock / 8
        case .iq2_XXS: 2 + superBlock / 4
        case .iq2_XS: 2 + superBlock / 4 + superBlock / 32
        case .iq3_XXS: 2 + superBlock / 4 + superBlock / 8
        case .iq1_S: 2 + superBlock / 8 + superBlock / 16
        case .iq3_S: 2 + superBlock / 4 + superBlock / 8 + superBlock / 32 + 4
        case .iq2_S: 2 + superBlock / 4 + superBlock / 16
        case .iq4_XS: 2 + 2 + superBlock / 2 + superBlock / 64
        case .iq1_M: superBlock / 8 + superBlock / 16 + superBlock / 32
        case .tq1_0: 2 + 4 * 13
        case .tq2_0: 2 + 64
        }
    }

    /// The safetensors dtype holding the same bytes, for the plain types;
    /// nil for the block-quantised ones.
    public var dtype: DType? {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        case .f64: .f64
        case .i8: .i8
        case .i16: .i16
        case .i32: .i32
        case .i64: .i64
        default: nil
        }
    }

    /// Whether `dequantize` turns this type into Float32.
    public var isDecodable: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: true
        default: false
        }
    }
}
