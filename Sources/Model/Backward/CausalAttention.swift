import Compute
import Foundation

/// Causal grouped-query attention of one record, forward and backward, a
/// block of query rows against a block of keys at a time (FlashAttention-2,
/// Dao 2023, §3.1): the forward keeps each row's log-sum-exp per head, and
/// the backward recomputes a block's probabilities from it. Memory is a
/// few blocks per worker whatever the record's length, never T×T, and
/// blocks above the diagonal are skipped. Blocks are fixed slices of the
/// record and every sum runs in block order, so the results do not depend
/// on the thread count or on the batch.
struct CausalAttention {
    let headCount: Int
    let keyValueHeadCount: Int
    let headDimension: Int
    let scale: Float

    /// Query rows and keys of a block.
    static let block = BlockedAttention.queryBlockCount

    var queryWidth: Int { headCount * headDimension }
    var keyValueWidth: Int { keyValueHeadCount * headDimension }
    /// Rows of `[q | k | v]` are this many floats apart.
    var stride: Int { queryWidth + 2 * keyValueWidth }

    /// Floats of scratch a forward call needs.
    var forwardScratchCount: Int { BlockedAttention.scratchCount(headDimension: headDimension) }

    /// Floats of scratch a backward call needs for a record of `count` rows.
    static func backwardScratchCount(count: Int) -> Int { 2 * block * block + count }

    /// Head `head`'s columns of one record's attention output (`count` rows
    /// of `queryWidth`) from its `[q | k | v]` rows, and each row's
    /// log-sum-exp at the head into `logSumExps` (`count` rows of
    /// `headCount`). `scratch`: `forwardScratchCount` floats.
    func forward(
        _ queryKeyValue: UnsafePointer<Float>, count: Int, head: Int, output: UnsafeMutablePointer<Float>,
        logSumExps: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        for queryStart in Swift.stride(from: 0, to: count, by: Self.block) {
            BlockedAttention.attend(
                query: queryKeyValue, key: queryKeyValue + queryWidth,
                value: queryKeyValue + queryWidth + keyValueWidth,
                inputStride: stride, output: output, outputStride: queryWidth, head: head,
                keyValueHead: head / (headCount / keyValueHeadCount), headDimension: headDimension,
                queryStart: queryStart, queryEnd: min(count, queryStart + Self.block), window: nil, scale: scale,
                scratch: scratch, logSumExps: logSumExps, logSumExpStride: headCount)
        }
    }

    /// Writes the gradient of one record's `[q | k | v]` rows from the
    /// gradient of its output, for key-value head `keyValueHead` and the
    /// query heads that share it (which add their key and value gradients
    /// in head order). `output` and `logSumExps` are the forward's.
    /// `scratch`: `backwardScratchCount(count:)` floats.
    func backward(
        _ queryKeyValue: UnsafePointer<Float>, count: Int, keyValueHead: Int, output: UnsafePointer<Float>,
        logSumExps: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        _ queryKeyValueGradient: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let group = headCount / keyValueHeadCount
        let block = Self.block
        let probabilities = scratch
        let scores = scratch + block * block
        // Per row: dO · O, the sum over its keys of P ∘ dP.
        let outputDots = scores + block * block
        let keyOffset = queryWidth + keyValueHead * headDimension
        let valueOffset = keyOffset + keyValueWidth
        for row in 0..<count {
            let line = queryKeyValueGradient + row * stride + keyOffset
            line.initialize(repeating: 0, count: headDimension)
            (line + keyValueWidth).initialize(repeating: 0, count: headDimension)
        }
        for head in keyValueHead * group..<(keyValueHead + 1) * group {
            let queryOffset = head * headDimension
            for row in 0..<count {
                let line = row * queryWidth + queryOffset
                outputDots[row] = Float(
                    BlockMath.dot(
                        UnsafeBufferPointer(start: outputGradient + line, count: headDimension),
                        UnsafeBufferPointer(start: output + line, count: headDimension), 0..<headDimension))
                (queryKeyValueGradient + row * stride + queryOffset).initialize(repeating: 0, count: headDimension)
            }
            for queryStart in Swift.stride(from: 0, to: count, by: block) {
                let rows = min(block, count - queryStart)
                let queryEnd = queryStart + rows
                let query = queryKeyValue + queryStart * stride + queryOffset
                let gradientRows = outputGradient + queryStart * queryWidth + queryOffset
                for keyStart in Swift.stride(from: 0, to: queryEnd, by: block) {
                    let columns = min(block, queryEnd - keyStart)
                    // P = exp(scale · q kᵀ − log-sum-exp), zero past the diagonal.
                    MatrixProduct.multiply(
                        m: rows, n: columns, k: headDimension, alpha: scale, a: query, lda: stride,
                        b: queryKeyValue + keyStart * stride + keyOffset, ldb: stride, transposeB: true,
                        c: probabilities, ldc: columns)
                    for row in 0..<rows {
                        let position = queryStart + row
                        let line = probabilities + row * columns
                        let visible = min(columns, position - keyStart + 1)
                        _ = VectorExponential.exponentiate(
                            line, count: visible, shift: logSumExps[position * headCount + head])
                        for column in visible..<columns { line[column] = 0 }
                    }
                    // dV += Pᵀ · dO
                    MatrixProduct.multiply(
                        m: columns, n: headDimension, k: rows, transposeA: true, a: probabilities, lda: columns,
                        b: gradientRows, ldb: queryWidth, transposeB: false, beta: 1,
                        c: queryKeyValueGradient + keyStart * stride + valueOffset, ldc: stride)
                    // dP = dO · Vᵀ, then dS = scale · P ∘ (dP − dO · O)
                    MatrixProduct.multiply(
                        m: rows, n: columns, k: headDimension, a: gradientRows, lda: queryWidth,
                        b: queryKeyValue + keyStart * stride + valueOffset, ldb: stride, transposeB: true,
                        c: scores, ldc: columns)
                    for row in 0..<rows {
                        let p = probabilities + row * columns
                        let d = scores + row * columns
                        let dot = outputDots[queryStart + row]
                        for column in 0..<columns { d[column] = scale * p[column] * (d[column] - dot) }
                    }
                    // dQ += dS · K; dK += dSᵀ · Q
                    MatrixProduct.multiply(
                        m: rows, n: headDimension, k: columns, a: scores, lda: columns,
                        b: queryKeyValue + keyStart * stride + keyOffset, ldb: stride, transposeB: false, beta: 1,
                        c: queryKeyValueGradient + queryStart * stride + queryOffset, ldc: stride)
                    MatrixProduct.multiply(
                        m: columns, n: headDimension, k: rows, transposeA: true, a: scores, lda: columns,
                        b: query, ldb: stride, transposeB: false, beta: 1,
                        c: queryKeyValueGradient + keyStart * stride + keyOffset, ldc: stride)
                }
            }
        }
    }
}
