import Compute
import Foundation

/// Logits of a tile of positions against a block of vocabulary rows, folded
/// at once into the running log-sum-exp, gold logit and top-K: never a
/// T×V matrix. Blocks are visited in vocabulary order, so the sums are
/// combined in the same order for any thread count or batch.
enum VocabularyProjection {
    /// Vocabulary rows decoded and multiplied at once.
    static let blockRowCount = 256
    /// Rows of the batch multiplied by a block at once: OpenBLAS packs the
    /// block once per call, so many rows amortise it.
    static let tileRowCount = 2_048
    /// Contiguous ranges of the vocabulary that are the pass's work units
    /// (fixed, whatever the thread count: sums are combined in this order).
    static let chunkCount = 8

    /// Rows of each chunk (the last may be shorter): whole blocks.
    static func chunkRowCount(vocabularySize: Int) -> Int {
        let rows = (vocabularySize + chunkCount - 1) / chunkCount
        return (rows + blockRowCount - 1) / blockRowCount * blockRowCount
    }

    /// Folds the batch's flat rows `rows` into `state` against vocabulary
    /// rows `[vocabularyStart, vocabularyStart + blockRows)`; the product
    /// runs over `productRows` rows from the first (at least `rows.count`).
    static func fold(
        normalized: UnsafePointer<Float>, hiddenSize: Int, rows: Range<Int>, productRows: Int, state: VocabularyState,
        weights: UnsafePointer<Float>, vocabularyStart: Int, blockRows: Int, logits: UnsafeMutablePointer<Float>
    ) {
        MatrixProduct.multiply(
            m: productRows, n: blockRows, k: hiddenSize, a: normalized + rows.lowerBound * hiddenSize,
            lda: hiddenSize, b: weights, ldb: hiddenSize, transposeB: true, c: logits, ldc: blockRows)
        let topK = state.topK
        for position in rows {
            let line = logits + (position - rows.lowerBound) * blockRows
            let blockMaximum = VectorLoops.largest(line, blockRows)
            let previous = state.maxima[position]
            var sum = previous == -.infinity ? 0 : state.sums[position]
            let maximum = max(previous, blockMaximum)
            if maximum > previous && previous != -.infinity { sum *= exp(Double(previous) - Double(maximum)) }
            let blockSum = VectorExponential.sumOfExponentials(line, count: blockRows, shift: maximum)
            sum += blockSum
            state.sums[position] = sum
            if let draws = state.draws {
                if maximum > previous && previous != -.infinity {
                    draws.rescale(row: position, drop: previous - maximum)
                }
                let temperature = draws.sampling.temperature
                let blockWeight =
                    temperature == 1
                    ? blockSum
                    : VectorExponential.sumOfExponentials(
                        line, count: blockRows, shift: maximum, scale: Float(1 / temperature))
                draws.fold(
                    row: position, line: line, count: blockRows, maximum: maximum, blockWeight: blockWeight,
                    vocabularyStart: vocabularyStart)
            }
            state.maxima[position] = maximum
            let gold = Int(state.nextIDs[position]) - vocabularyStart
            if gold >= 0 && gold < blockRows { state.goldLogits[position] = line[gold] }
            guard topK > 0 else { continue }
            let logits = state.topLogits + position * topK
            var filled = state.topFilled[position]
            // Most blocks hold nothing that beats a full list: skip them whole.
            if filled == topK && blockMaximum <= logits[topK - 1] { continue }
            let ids = state.topIDs + position * topK
            var threshold = filled == topK ? logits[topK - 1] : -Float.infinity
            for column in 0..<blockRows where line[column] > threshold || filled < topK {
                insert(
                    line[column], id: vocabularyStart + column, logits: logits, ids: ids, topK: topK, filled: &filled)
                if filled == topK { threshold = logits[topK - 1] }
            }
            state.topFilled[position] = filled
        }
    }

    /// Inserts `value` into a best-first list of `filled` of `topK`, after
    /// every kept value ≥ it (equal logits keep the lower id first).
    @inline(__always)
    static func insert(
        _ value: Float, id: Int, logits: UnsafeMutablePointer<Float>, ids: UnsafeMutablePointer<Int32>, topK: Int,
        filled: inout Int
    ) {
        var slot = min(filled, topK - 1)
        while slot > 0 && logits[slot - 1] < value {
            logits[slot] = logits[slot - 1]
            ids[slot] = ids[slot - 1]
            slot -= 1
        }
        logits[slot] = value
        ids[slot] = Int32(id)
        filled = min(topK, filled + 1)
    }
}
