import Compute
import Foundation

/// Causal grouped-query attention of one record, forward and backward,
/// with each head's T×T probabilities materialised (recomputed in the
/// backward from the rotated queries and keys). Memory grows with the
/// square of the record's length: fine for the records training uses now,
/// a blocked backward (FlashAttention-2, Dao 2023, §3.1) for long ones.
struct CausalAttention {
    let headCount: Int
    let keyValueHeadCount: Int
    let headDimension: Int
    let scale: Float

    var queryWidth: Int { headCount * headDimension }
    var keyValueWidth: Int { keyValueHeadCount * headDimension }
    /// Rows of `[q | k | v]` are this many floats apart.
    var stride: Int { queryWidth + 2 * keyValueWidth }

    /// `softmax(scale · q kᵀ + causal mask)` of `head` into `probabilities` (`count × count`).
    func probabilities(
        _ queryKeyValue: UnsafePointer<Float>, count: Int, head: Int, _ probabilities: UnsafeMutablePointer<Float>
    ) {
        let keyHead = head / (headCount / keyValueHeadCount)
        MatrixProduct.multiply(
            m: count, n: count, k: headDimension, alpha: scale, a: queryKeyValue + head * headDimension, lda: stride,
            b: queryKeyValue + queryWidth + keyHead * headDimension, ldb: stride, transposeB: true,
            c: probabilities, ldc: count)
        for row in 0..<count {
            let line = probabilities + row * count
            var maximum = -Float.infinity
            for column in 0...row { maximum = max(maximum, line[column]) }
            let sum = VectorExponential.exponentiate(line, count: row + 1, shift: maximum)
            for column in 0...row { line[column] /= sum }
            for column in (row + 1)..<count { line[column] = 0 }
        }
    }

    /// The attention output of `heads` (their columns of `count` rows of
    /// `queryWidth`) from one record's `[q | k | v]` rows. `scratch`: `count²` floats.
    func forward(
        _ queryKeyValue: UnsafePointer<Float>, count: Int, heads: Range<Int>, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let group = headCount / keyValueHeadCount
        for head in heads {
            probabilities(queryKeyValue, count: count, head: head, scratch)
            MatrixProduct.multiply(
                m: count, n: headDimension, k: count, a: scratch, lda: count,
                b: queryKeyValue + queryWidth + keyValueWidth + head / group * headDimension, ldb: stride,
                transposeB: false, c: output + head * headDimension, ldc: queryWidth)
        }
    }

    /// Writes the gradient of one record's `[q | k | v]` rows from the
    /// gradient of its output, for key-value head `keyValueHead` and the
    /// query heads that share it (which add their key and value gradients
    /// in head order). `scratch`: `2 · count²` floats.
    func backward(
        _ queryKeyValue: UnsafePointer<Float>, count: Int, keyValueHead: Int, outputGradient: UnsafePointer<Float>,
        _ queryKeyValueGradient: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let group = headCount / keyValueHeadCount
        let p = scratch
        let d = scratch + count * count
        for row in 0..<count {
            let line = queryKeyValueGradient + row * stride + queryWidth + keyValueHead * headDimension
            line.initialize(repeating: 0, count: headDimension)
            (line + keyValueWidth).initialize(repeating: 0, count: headDimension)
        }
        for head in keyValueHead * group..<(keyValueHead + 1) * group {
            let keyOffset = queryWidth + head / group * headDimension
            let valueOffset = keyOffset + keyValueWidth
            let outputHead = outputGradient + head * headDimension
            probabilities(queryKeyValue, count: count, head: head, p)
            // dV += Pᵀ · dO
            MatrixProduct.multiply(
                m: count, n: headDimension, k: count, transposeA: true, a: p, lda: count, b: outputHead,
                ldb: queryWidth, transposeB: false, beta: 1, c: queryKeyValueGradient + valueOffset, ldc: stride)
            // dP = dO · Vᵀ, then dS = P ∘ (dP − Σ_columns P ∘ dP), times the scale.
            MatrixProduct.multiply(
                m: count, n: count, k: headDimension, a: outputHead, lda: queryWidth, b: queryKeyValue + valueOffset,
                ldb: stride, transposeB: true, c: d, ldc: count)
            for row in 0..<count {
                let pLine = p + row * count
                let dLine = d + row * count
                var dot: Float = 0
                for column in 0...row { dot += pLine[column] * dLine[column] }
                for column in 0...row { dLine[column] = scale * pLine[column] * (dLine[column] - dot) }
                for column in (row + 1)..<count { dLine[column] = 0 }
            }
            // dQ = dS · K; dK += dSᵀ · Q
            MatrixProduct.multiply(
                m: count, n: headDimension, k: count, a: d, lda: count, b: queryKeyValue + keyOffset, ldb: stride,
                transposeB: false, c: queryKeyValueGradient + head * headDimension, ldc: stride)
            MatrixProduct.multiply(
                m: count, n: headDimension, k: count, transposeA: true, a: d, lda: count,
                b: queryKeyValue + head * headDimension, ldb: stride, transposeB: false, beta: 1,
                c: queryKeyValueGradient + keyOffset, ldc: stride)
        }
    }
}
