import Distill
import Model

/// A small deterministic generator (SplitMix64), so every test run and
/// machine sees the same records.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Records shaped like a teacher's: ids from a skewed pool that recur,
/// best-first log-probabilities with irregular gaps, log-sum-exps of 10 to
/// 40, and a gold token in the top K most of the time.
enum SyntheticScores {
    static func record(
        seed: UInt64, tokenCount: Int, topK: Int, vocabularySize: Int
    ) -> (scores: TokenScores, lossMask: [Bool]) {
        var random = SplitMix64(state: seed)
        func tokenID() -> Int32 {
            // Mostly a small pool of frequent ids, sometimes anywhere in the vocabulary.
            random.below(4) == 0 ? Int32(random.below(vocabularySize)) : Int32(random.below(min(300, vocabularySize)))
        }
        var ids: [Int] = [Int(tokenID())]
        var topIDs: [Int32] = [], top: [Double] = [], gold: [Double] = [], logSumExps: [Double] = []
        for position in 0..<tokenCount {
            var row: [Int32] = []
            while row.count < min(topK, vocabularySize) {
                let id = tokenID()
                if !row.contains(id) { row.append(id) }
            }
            var value = -random.unit() * 3
            var values: [Double] = []
            for _ in row {
                values.append(value)
                value -= random.unit() * random.unit() * 4
            }
            topIDs += row
            top += values
            logSumExps.append(10 + random.unit() * 30)
            guard position + 1 < tokenCount else { continue }
            if !row.isEmpty, random.below(10) < 8 {
                let rank = random.below(row.count)
                ids.append(Int(row[rank]))
                gold.append(values[rank])
            } else {
                ids.append(Int(tokenID()))
                gold.append(value - random.unit() * 20)
            }
        }
        let split = random.below(tokenCount)
        let mask = (0..<max(0, tokenCount - 1)).map { $0 >= split }
        let scores = TokenScores(
            ids: ids, topK: topK, goldLogProbabilities: gold, logSumExps: logSumExps, topIDs: topIDs,
            topLogProbabilities: top)
        return (scores, mask)
    }

    /// A sampled record drawn from the same shape: per position up to
    /// `maximumEntries` distinct ids with counts and log-probabilities.
    static func sampled(
        seed: UInt64, tokenCount: Int, maximumEntries: Int, vocabularySize: Int
    ) -> SampledRecord<Double> {
        let (scores, mask) = record(
            seed: seed, tokenCount: tokenCount, topK: maximumEntries, vocabularySize: vocabularySize)
        var random = SplitMix64(state: seed ^ 0x5A5A)
        let positions = (0..<tokenCount).map { position in
            let count = random.below(maximumEntries + 1)
            let row = position * maximumEntries
            return SampledPosition<Double>(
                ids: Array(scores.topIDs[row..<row + count]),
                counts: (0..<count).map { _ in UInt16(1 + random.below(random.below(2) == 0 ? 5 : 60_000)) },
                logProbabilities: Array(scores.topLogProbabilities[row..<row + count]).shuffledBy(&random))
        }
        return SampledRecord(
            ids: scores.ids.map { Int32($0) }, lossMask: mask, goldLogProbabilities: scores.goldLogProbabilities,
            logSumExps: scores.logSumExps, positions: positions)
    }
}

extension Array {
    /// A deterministic shuffle, so sampled entries are in no sorted order.
    func shuffledBy(_ random: inout SplitMix64) -> [Element] {
        var copy = self
        for index in copy.indices.reversed() where index > 0 { copy.swapAt(index, random.below(index + 1)) }
        return copy
    }
}
