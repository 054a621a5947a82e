import Compute
import Foundation

/// Causal attention of one head over a block of query rows, a block of keys
/// at a time with a running maximum and sum (the online softmax of
/// FlashAttention, Dao et al. 2022, §3.1): memory is a block of scores,
/// never T×T. Blocks are fixed slices of the record, so the sums run in
/// the same order for any thread count or batch.
enum BlockedAttention {
    static let queryBlockCount = 64
    static let keyBlockCount = 64

    /// Floats of scratch one call needs.
    static func scratchCount(headDimension: Int) -> Int {
        queryBlockCount * keyBlockCount + queryBlockCount * headDimension + 2 * queryBlockCount
    }

    /// Writes `output` rows `[queryStart, queryEnd)` of head `head` (whose
    /// keys and values are head `keyValueHead`). Pointers are the record's
    /// first row; strides are row widths in floats (queries, keys and
    /// values share rows). With `logSumExps` (the record's first row,
    /// `logSumExpStride` floats a row), also each row's log-sum-exp of its
    /// scaled scores at `head`, from which a backward recomputes the
    /// probabilities a block at a time.
    static func attend(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>, inputStride: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, head: Int, keyValueHead: Int,
        headDimension: Int, queryStart: Int, queryEnd: Int, window: Int?, scale: Float,
        scratch: UnsafeMutablePointer<Float>, logSumExps: UnsafeMutablePointer<Float>? = nil, logSumExpStride: Int = 0
    ) {
        let rows = queryEnd - queryStart
        let scores = scratch
        let accumulator = scratch + queryBlockCount * keyBlockCount
        let maxima = accumulator + queryBlockCount * headDimension
        let sums = maxima + queryBlockCount
        accumulator.initialize(repeating: 0, count: rows * headDimension)
        maxima.initialize(repeating: -.infinity, count: rows)
        sums.initialize(repeating: 0, count: rows)
        let firstKey = window.map { max(0, queryStart - $0 + 1) } ?? 0
        var keyStart = firstKey / keyBlockCount * keyBlockCount
        let q = query + queryStart * inputStride + head * headDimension
        while keyStart < queryEnd {
            let keyEnd = min(queryEnd, keyStart + keyBlockCount)
            let columns = keyEnd - keyStart
            MatrixProduct.multiply(
                m: rows, n: columns, k: headDimension, alpha: scale, a: q, lda: inputStride,
                b: key + keyStart * inputStride + keyValueHead * headDimension, ldb: inputStride,
                transposeB: true, c: scores, ldc: columns)
            for row in 0..<rows {
                let position = queryStart + row
                let line = scores + row * columns
                // Keys k with k ≤ position and, in a window w, position − k < w.
                let visibleEnd = min(columns, position - keyStart + 1)
                let visibleStart = min(visibleEnd, max(0, window.map { position - $0 + 1 - keyStart } ?? 0))
                for column in 0..<visibleStart { line[column] = -.infinity }
                for column in max(0, visibleEnd)..<columns { line[column] = -.infinity }
                let blockMaximum = VectorLoops.largest(line + visibleStart, max(0, visibleEnd - visibleStart))
                let previous = maxima[row]
                let maximum = max(previous, blockMaximum)
                if maximum == -.infinity {
                    for column in 0..<columns { line[column] = 0 }
                    continue
                }
                let rescale = previous == -.infinity ? 0 : exp(previous - maximum)
                let sum = VectorExponential.exponentiate(line, count: columns, shift: maximum)
                sums[row] = sums[row] * rescale + sum
                maxima[row] = maximum
                let accumulated = accumulator + row * headDimension
                VectorLoops.multiply(accumulated, by: rescale, into: accumulated, headDimension)
            }
            MatrixProduct.multiply(
                m: rows, n: headDimension, k: columns, a: scores, lda: columns,
                b: value + keyStart * inputStride + keyValueHead * headDimension, ldb: inputStride,
                transposeB: false, beta: 1, c: accumulator, ldc: headDimension)
            keyStart = keyEnd
        }
        for row in 0..<rows {
            let target = output + (queryStart + row) * outputStride + head * headDimension
            VectorLoops.multiply(accumulator + row * headDimension, by: 1 / sums[row], into: target, headDimension)
            logSumExps?[(queryStart + row) * logSumExpStride + head] = maxima[row] + log(sums[row])
        }
    }
}
