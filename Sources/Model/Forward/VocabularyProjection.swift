import Compute
import Foundation

/// Logits of a tile of positions against a block of vocabulary rows, folded
/// at once into the running log-sum-exp, gold logit and top-K: never a
/// T×V matrix. Blocks are visited in vocabulary order, so the sums are
/// combined in the same order for any thread count or batch.
enum VocabularyProjection {
    static let blockRowCount = 1_024

    /// Folds rows `[rowStart, rowStart + rows)` of `state` against vocabulary
    /// rows `[vocabularyStart, vocabularyStart + blockRows)`.
    static func fold(
        normalized: UnsafePointer<Float>, hiddenSize: Int, rowStart: Int, rows: Int, state: VocabularyState,
        weights: UnsafePointer<Float>, vocabularyStart: Int, blockRows: Int, logits: UnsafeMutablePointer<Float>
    ) {
        MatrixProduct.multiply(
            m: rows, n: blockRows, k: hiddenSize, a: normalized + rowStart * hiddenSize, lda: hiddenSize,
            b: weights, ldb: hiddenSize, transposeB: true, c: logits, ldc: blockRows)
        let topK = state.topK
        for row in 0..<rows {
            let position = rowStart + row
            let line = logits + row * blockRows
            var blockMaximum = -Float.infinity
            for column in 0..<blockRows { blockMaximum = max(blockMaximum, line[column]) }
            let previous = state.maxima[position]
            var sum = previous == -.infinity ? 0 : state.sums[position]
            let maximum = max(previous, blockMaximum)
            if maximum > previous && previous != -.infinity { sum *= exp(Double(previous) - Double(maximum)) }
            sum += VectorExponential.sumOfExponentials(line, count: blockRows, shift: maximum)
            state.sums[position] = sum
            state.maxima[position] = maximum
            if position + 1 < state.ids.count {
                let gold = state.ids[position + 1] - vocabularyStart
                if gold >= 0 && gold < blockRows { state.goldLogits[position] = line[gold] }
            }
            guard topK > 0 else { continue }
            do {
                do {
                    let topLogits = state.topLogits
                    let topIDs = state.topIDs
                    let base = position * topK
                    var filled = state.topFilled[position]
                    var threshold = filled == topK ? topLogits[base + topK - 1] : -Float.infinity
                    for column in 0..<blockRows where line[column] > threshold || filled < topK {
                        let value = line[column]
                        // Insert after every kept value ≥ this one: equal logits keep the lower id first.
                        var slot = min(filled, topK - 1)
                        while slot > 0 && topLogits[base + slot - 1] < value {
                            topLogits[base + slot] = topLogits[base + slot - 1]
                            topIDs[base + slot] = topIDs[base + slot - 1]
                            slot -= 1
                        }
                        topLogits[base + slot] = value
                        topIDs[base + slot] = Int32(vocabularyStart + column)
                        filled = min(topK, filled + 1)
                        if filled == topK { threshold = topLogits[base + topK - 1] }
                    }
                    state.topFilled[position] = filled
                }
            }
        }
    }
}
