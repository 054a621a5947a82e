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

/// Running state of the vocabulary pass for the rows of one record: the
/// largest logit and the Float64 sum of exponentials relative to it, the
/// gold logit, and the top-K logits so far. Workers update disjoint rows.
final class VocabularyState: @unchecked Sendable {
    // @unchecked: each position is updated by one tile's worker at a time,
    // between barriers of the vocabulary blocks; storage is raw memory, so
    // no array is mutated from two threads.
    let ids: [Int]
    let topK: Int
    let maxima: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Double>
    let goldLogits: UnsafeMutablePointer<Float>
    let topLogits: UnsafeMutablePointer<Float>
    let topIDs: UnsafeMutablePointer<Int32>
    let topFilled: UnsafeMutablePointer<Int>

    init(ids: [Int], topK: Int) {
        self.ids = ids
        self.topK = topK
        let count = max(ids.count, 1)
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

    /// The record's scores once every vocabulary block has been seen.
    func finish() -> TokenScores {
        let count = ids.count
        var logSumExps = [Double](repeating: 0, count: count)
        for position in 0..<count { logSumExps[position] = Double(maxima[position]) + log(sums[position]) }
        var gold = [Double](repeating: 0, count: max(0, count - 1))
        for position in gold.indices { gold[position] = Double(goldLogits[position]) - logSumExps[position] }
        var topLogProbabilities = [Double](repeating: 0, count: count * topK)
        var ids = [Int32](repeating: 0, count: count * topK)
        for index in topLogProbabilities.indices {
            topLogProbabilities[index] = Double(topLogits[index]) - logSumExps[index / topK]
            ids[index] = topIDs[index]
        }
        return TokenScores(
            ids: self.ids, topK: topK, goldLogProbabilities: gold, logSumExps: logSumExps, topIDs: ids,
            topLogProbabilities: topLogProbabilities)
    }
}
