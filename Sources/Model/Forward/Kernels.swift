import Compute
import Foundation

/// The elementwise and row-wise steps of a decoder layer, over rows of a
/// token-major tile. Plain loops over raw pointers (STYLE.md, rule 9).
enum Kernels {
    /// RMSNorm of each row (transformers' `LlamaRMSNorm`:
    /// `w · x / sqrt(mean(x²) + ε)`; Gemma's `(1 + w)` when `weightOffset` is 1).
    /// The mean of squares is summed in Float64, as a fixed function of the row.
    static func rmsNorm(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Int, width: Int,
        stride: Int, weight: UnsafePointer<Float>, epsilon: Float, weightOffset: Float
    ) {
        for row in 0..<rows {
            let x = input + row * stride
            let y = output + row * stride
            var sum = 0.0
            for index in 0..<width { sum += Double(x[index]) * Double(x[index]) }
            let scale = 1 / (Float(sum / Double(width)) + epsilon).squareRoot()
            for index in 0..<width { y[index] = (x[index] * scale) * (weightOffset + weight[index]) }
        }
    }

    /// `output[rows × n] = input[rows × k] · weightᵀ (+ bias)`, weight stored `[n × k]`;
    /// `output +=` when `accumulating` (a residual added inside the product:
    /// no pass to zero the output and none to add it, though the sum rounds
    /// differently from a product then an add).
    static func linear(
        _ input: UnsafePointer<Float>, rows: Int, inputWidth: Int, inputStride: Int,
        weight: UnsafePointer<Float>, outputWidth: Int, bias: UnsafePointer<Float>?,
        _ output: UnsafeMutablePointer<Float>, outputStride: Int, accumulating: Bool = false
    ) {
        MatrixProduct.multiply(
            m: rows, n: outputWidth, k: inputWidth, a: input, lda: inputStride, b: weight, ldb: inputWidth,
            transposeB: true, beta: accumulating ? 1 : 0, c: output, ldc: outputStride)
        guard let bias else { return }
        for row in 0..<rows {
            let y = output + row * outputStride
            for index in 0..<outputWidth { y[index] += bias[index] }
        }
    }

    /// Rotates each head of each row by the row's position (transformers'
    /// `rotate_half` convention: feature i pairs with i + d/2).
    static func rope(
        _ values: UnsafeMutablePointer<Float>, rows: Int, stride: Int, headCount: Int, headDimension: Int,
        positions: UnsafePointer<Int32>, inverseFrequencies: UnsafePointer<Float>, cosSin: UnsafeMutablePointer<Float>
    ) {
        let half = headDimension / 2
        for row in 0..<rows {
            let position = Float(positions[row])
            for index in 0..<half {
                let angle = position * inverseFrequencies[index]
                cosSin[index] = cos(angle)
                cosSin[half + index] = sin(angle)
            }
            for head in 0..<headCount {
                let x = values + row * stride + head * headDimension
                for index in 0..<half {
                    let first = x[index]
                    let second = x[index + half]
                    let c = cosSin[index]
                    let s = cosSin[half + index]
                    x[index] = first * c - second * s
                    x[index + half] = second * c + first * s
                }
            }
        }
    }

    /// `gate ← act(gate) · up`, elementwise over `count` values.
    static func gatedActivation(
        _ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int, activation: Activation
    ) {
        switch activation {
        case .silu:
            VectorExponential.siluGate(gate, up, count: count)
        case .geluTanh:
            // transformers' `gelu_pytorch_tanh`.
            let c = Float((2 / Double.pi).squareRoot())
            for index in 0..<count {
                let x = gate[index]
                gate[index] = 0.5 * x * (1 + tanh(c * (x + 0.044715 * x * x * x))) * up[index]
            }
        }
    }

    static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count { target[index] += source[index] }
    }
}

/// The activation of a gated feed-forward block.
enum Activation: Sendable {
    case silu
    case geluTanh
}
