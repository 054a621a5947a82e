import Compute
import Foundation

/// The gradients of the forward pass's token-wise steps (`Kernels`), over
/// rows of a token-major matrix: each takes the gradient of a step's output
/// and adds into the gradients of its input and weights.
enum BackwardKernels {
    /// RMSNorm's gradient (`y = w · x · r`, `r = 1/sqrt(mean(x²) + ε)`, as
    /// `Kernels.rmsNorm` computes it): `dx = r·(g − x·r²·mean(g·x))` with
    /// `g = dy · w`, added to `inputGradient`; `dw += Σ_rows dy · x · r`.
    static func rmsNorm(
        _ input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, rows: Int, width: Int,
        weight: UnsafePointer<Float>, epsilon: Float, inputGradient: UnsafeMutablePointer<Float>,
        weightGradient: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<rows {
            let x = input + row * width
            let dy = outputGradient + row * width
            let dx = inputGradient + row * width
            var sum = 0.0
            for index in 0..<width { sum += Double(x[index]) * Double(x[index]) }
            let scale = 1 / (Float(sum / Double(width)) + epsilon).squareRoot()
            var dot = 0.0
            for index in 0..<width {
                dot += Double(dy[index]) * Double(weight[index]) * Double(x[index])
                weightGradient[index] += dy[index] * x[index] * scale
            }
            let correction = Float(dot / Double(width)) * scale * scale
            for index in 0..<width { dx[index] += scale * (dy[index] * weight[index] - x[index] * correction) }
        }
    }

    /// SwiGLU's gradient: for `a = silu(g) · u`, writes `dg` and `du` over
    /// `da` in rows of `[g | u]` (`gateUp`, `2 · width` floats each), with
    /// `silu'(g) = σ(g) · (1 + g · (1 − σ(g)))`.
    static func siluGate(
        _ gateUp: UnsafePointer<Float>, activationGradient: UnsafePointer<Float>, rows: Int, width: Int,
        _ gateUpGradient: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<rows {
            let gate = gateUp + row * 2 * width
            let up = gate + width
            let da = activationGradient + row * width
            let dGate = gateUpGradient + row * 2 * width
            let dUp = dGate + width
            for index in 0..<width {
                let g = gate[index]
                let sigmoid = 1 / (1 + exp(-g))
                dGate[index] = da[index] * up[index] * sigmoid * (1 + g * (1 - sigmoid))
                dUp[index] = da[index] * g * sigmoid
            }
        }
    }
}
