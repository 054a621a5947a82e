import Foundation

/// What the forward pass gives back for one record: per position the
/// log-sum-exp of the logits and the top-K next tokens with their
/// log-probabilities, and the gold next token's log-probability (natural
/// logs, from Float32 logits with a Float64 log-sum-exp).
public struct TokenScores: Sendable, Equatable {
    public let ids: [Int]
    public let topK: Int
    /// `ids.count − 1` values: log p(ids[i + 1] | ids[...i]).
    public var goldLogProbabilities: [Double]
    /// `ids.count` values.
    public var logSumExps: [Double]
    /// `ids.count × topK` ids, row-major, best first (ties: lower id first).
    public var topIDs: [Int32]
    /// `ids.count × topK` log-probabilities matching `topIDs`.
    public var topLogProbabilities: [Double]
    /// With sampling, each position's draws (`ids.count` of them); else empty.
    public var draws: [TokenDraws] = []

    /// Scores as given; the counts are the caller's to keep consistent
    /// (a consumer such as the logit cache checks them).
    public init(
        ids: [Int], topK: Int, goldLogProbabilities: [Double], logSumExps: [Double], topIDs: [Int32],
        topLogProbabilities: [Double]
    ) {
        self.ids = ids
        self.topK = topK
        self.goldLogProbabilities = goldLogProbabilities
        self.logSumExps = logSumExps
        self.topIDs = topIDs
        self.topLogProbabilities = topLogProbabilities
    }
}

/// Running state of the vocabulary pass for every row of a batch: the
/// largest logit and the Float64 sum of exponentials relative to it, the
/// gold logit, and the top-K logits so far. Workers update disjoint rows.
final class VocabularyState: @unchecked Sendable {
    // @unchecked: each row is updated by one tile's worker at a time,
    // between barriers of the vocabulary blocks; storage is raw memory, so
    // no array is mutated from two threads.
    let records: [[Int]]
    let topK: Int
    /// Each row's next token within its record, −1 on a record's last row.
    let nextIDs: [Int32]
    let maxima: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Double>
    let goldLogits: UnsafeMutablePointer<Float>
    let topLogits: UnsafeMutablePointer<Float>
    let topIDs: UnsafeMutablePointer<Int32>
    let topFilled: UnsafeMutablePointer<Int>
    /// The chunk's draws, with sampling.
    let draws: DrawState?

    init(records: [[Int]], topK: Int, draws: DrawState? = nil) {
        self.records = records
        self.topK = topK
        self.draws = draws
        nextIDs = records.flatMap { ids in ids.indices.map { $0 + 1 < ids.count ? Int32(ids[$0 + 1]) : -1 } }
        let count = max(nextIDs.count, 1)
        maxima = .allocate(capacity: count)
        maxima.initialize(repeating: -.infinity, count: count)
        sums = .allocate(capacity: count)
        sums.initialize(repeating: 0, count: count)
        goldLogits = .allocate(capacity: count)
        goldLogits.initialize(repeating: .nan, count: count)
        topLogits = .allocate(capacity: max(1, count * topK))
        topLogits.initialize(repeating: -.infinity, count: max(1, count * topK))
        topIDs = .allocate(capacity: max(1, count * topK))
        topIDs.initialize(repeating: -1, count: max(1, count * topK))
        topFilled = .allocate(capacity: count)
        topFilled.initialize(repeating: 0, count: count)
    }

    deinit {
        maxima.deallocate()
        sums.deallocate()
        goldLogits.deallocate()
        topLogits.deallocate()
        topIDs.deallocate()
        topFilled.deallocate()
    }

    /// One state for the whole vocabulary from the states of its chunks, in
    /// vocabulary order: the largest maximum, each chunk's sum rescaled to
    /// it and added in chunk order, the gold logit from the chunk that has
    /// it, and the chunks' top-K lists merged (equal logits: lower id first).
    static func combine(_ chunks: [VocabularyState]) -> VocabularyState {
        let combined = combineScores(chunks)
        if let first = chunks[0].draws {
            let states = chunks.compactMap(\.draws)
            let rows = first.rowCount
            var logSumExps = [Double](repeating: 0, count: rows)
            for row in 0..<rows { logSumExps[row] = Double(combined.maxima[row]) + log(combined.sums[row]) }
            combined.combinedDraws = DrawState.combine(
                states, maxima: chunks.map(\.maxima), logSumExps: { logSumExps[$0] })
        }
        return combined
    }

    /// Draws of every row once combined (set on the combined state only).
    var combinedDraws: [TokenDraws] = []

    private static func combineScores(_ chunks: [VocabularyState]) -> VocabularyState {
        // checked: the projection always has at least one chunk
        let first = chunks[0]
        let combined = VocabularyState(records: first.records, topK: first.topK)
        let topK = first.topK
        for row in 0..<first.nextIDs.count {
            var maximum = -Float.infinity
            for chunk in chunks { maximum = max(maximum, chunk.maxima[row]) }
            var sum = 0.0
            var filled = 0
            for chunk in chunks where chunk.maxima[row] != -.infinity {
                sum += chunk.sums[row] * exp(Double(chunk.maxima[row]) - Double(maximum))
                if !chunk.goldLogits[row].isNaN { combined.goldLogits[row] = chunk.goldLogits[row] }
                for rank in 0..<chunk.topFilled[row] {
                    let value = chunk.topLogits[row * topK + rank]
                    guard filled < topK || value > combined.topLogits[row * topK + topK - 1] else { break }
                    VocabularyProjection.insert(
                        value, id: Int(chunk.topIDs[row * topK + rank]), logits: combined.topLogits + row * topK,
                        ids: combined.topIDs + row * topK, topK: topK, filled: &filled)
                }
            }
            combined.maxima[row] = maximum
            combined.sums[row] = sum
            combined.topFilled[row] = filled
        }
        return combined
    }

    /// Each record's scores once every vocabulary block has been seen.
    func finish() -> [TokenScores] {
        var first = 0
        return records.map { ids in
            defer { first += ids.count }
            return scores(ids, firstRow: first)
        }
    }

    private func scores(_ ids: [Int], firstRow: Int) -> TokenScores {
        let count = ids.count
        var logSumExps = [Double](repeating: 0, count: count)
        for position in 0..<count {
            logSumExps[position] = Double(maxima[firstRow + position]) + log(sums[firstRow + position])
        }
        var gold = [Double](repeating: 0, count: max(0, count - 1))
        for position in gold.indices { gold[position] = Double(goldLogits[firstRow + position]) - logSumExps[position] }
        var topLogProbabilities = [Double](repeating: 0, count: count * topK)
        var topIDs = [Int32](repeating: 0, count: count * topK)
        let base = firstRow * topK
        for index in topLogProbabilities.indices {
            topLogProbabilities[index] = Double(topLogits[base + index]) - logSumExps[index / topK]
            topIDs[index] = self.topIDs[base + index]
        }
        var scores = TokenScores(
            ids: ids, topK: topK, goldLogProbabilities: gold, logSumExps: logSumExps, topIDs: topIDs,
            topLogProbabilities: topLogProbabilities)
        if !combinedDraws.isEmpty { scores.draws = Array(combinedDraws[firstRow..<firstRow + count]) }
        return scores
    }
}
