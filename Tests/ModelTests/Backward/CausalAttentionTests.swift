import Foundation
import Testing

@testable import Model

/// The blocked attention of training against a direct Float64 softmax
/// attention and its textbook backward, on a record long enough for
/// several blocks (the model-level gradient tests use short records, one
/// block each).
@Suite struct CausalAttentionTests {
    static let attention = CausalAttention(headCount: 4, keyValueHeadCount: 2, headDimension: 8, scale: 0.35)

    /// Smooth pseudo-random values in [−1, 1], the same on every run.
    static func values(_ count: Int, seed: Double) -> [Float] {
        (0..<count).map { index -> Float in
            let x = Double(index)
            return Float(sin(x * 0.731 + seed) * cos(x * 0.117 + 2 * seed))
        }
    }

    struct Direct {
        var output: [Double]
        var queryKeyValueGradient: [Double]
    }

    /// Softmax attention of every head, then the gradient of `[q | k | v]`
    /// from `outputGradient`, in Float64 with whole rows of probabilities.
    static func direct(_ qkv: [Float], _ outputGradient: [Float], count: Int) -> Direct {
        let a = attention
        let (d, stride, group) = (a.headDimension, a.stride, a.headCount / a.keyValueHeadCount)
        var output = [Double](repeating: 0, count: count * a.queryWidth)
        var gradient = [Double](repeating: 0, count: count * stride)
        func at(_ row: Int, _ offset: Int, _ index: Int) -> Double { Double(qkv[row * stride + offset + index]) }
        for head in 0..<a.headCount {
            let (q, k) = (head * d, a.queryWidth + head / group * d)
            let v = k + a.keyValueWidth
            for row in 0..<count {
                let scores = (0...row).map { key in
                    Double(a.scale) * (0..<d).reduce(0.0) { $0 + at(row, q, $1) * at(key, k, $1) }
                }
                let largest = scores.max() ?? 0  // checked: a row sees at least itself
                let exponentials = scores.map { exp($0 - largest) }
                let total = exponentials.reduce(0, +)
                let p = exponentials.map { $0 / total }
                let dO = (0..<d).map { Double(outputGradient[row * a.queryWidth + q + $0]) }
                let dP = (0...row).map { key in (0..<d).reduce(0.0) { $0 + dO[$1] * at(key, v, $1) } }
                let centre = zip(p, dP).reduce(0.0) { $0 + $1.0 * $1.1 }
                for key in 0...row {
                    let dS = Double(a.scale) * p[key] * (dP[key] - centre)
                    for index in 0..<d {
                        output[row * a.queryWidth + q + index] += p[key] * at(key, v, index)
                        gradient[key * stride + v + index] += p[key] * dO[index]
                        gradient[row * stride + q + index] += dS * at(key, k, index)
                        gradient[key * stride + k + index] += dS * at(row, q, index)
                    }
                }
            }
        }
        return Direct(output: output, queryKeyValueGradient: gradient)
    }

    /// 150 rows: two whole blocks and a partial one, so the backward meets
    /// blocks below, on and above the diagonal.
    @Test func blockedForwardAndBackwardMatchTheDirectComputation() {
        let a = Self.attention
        let count = 150
        let qkv = Self.values(count * a.stride, seed: 0.4)
        let outputGradient = Self.values(count * a.queryWidth, seed: 1.3)
        let expected = Self.direct(qkv, outputGradient, count: count)

        var output = [Float](repeating: .nan, count: count * a.queryWidth)
        var logSumExps = [Float](repeating: .nan, count: count * a.headCount)
        var scratch = [Float](
            repeating: 0, count: max(a.forwardScratchCount, CausalAttention.backwardScratchCount(count: count)))
        // NaN-filled: the backward must write every row of `[q | k | v]`.
        var gradient = [Float](repeating: .nan, count: count * a.stride)
        qkv.withUnsafeBufferPointer { qkv in
            let qkv = qkv.baseAddress!  // checked: not empty
            for head in 0..<a.headCount {
                a.forward(
                    qkv, count: count, head: head, output: &output, logSumExps: &logSumExps, scratch: &scratch)
            }
            for keyValueHead in 0..<a.keyValueHeadCount {
                a.backward(
                    qkv, count: count, keyValueHead: keyValueHead, output: output, logSumExps: logSumExps,
                    outputGradient: outputGradient, &gradient, scratch: &scratch)
            }
        }
        let outputScale = expected.output.map(abs).max() ?? 0
        let outputError = zip(output, expected.output).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(outputScale > 0.1 && outputError <= 1e-5 * outputScale, "output: \(outputError) of \(outputScale)")
        #expect(gradient.allSatisfy(\.isFinite) && output.allSatisfy(\.isFinite))
        let gradientScale = expected.queryKeyValueGradient.map(abs).max() ?? 0
        let gradientError =
            zip(gradient, expected.queryKeyValueGradient).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(
            gradientScale > 0.1 && gradientError <= 1e-5 * gradientScale,
            "gradient: \(gradientError) of \(gradientScale)")
    }
}
