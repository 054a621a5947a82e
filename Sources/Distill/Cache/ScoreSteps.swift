import Model

/// A record's scores checked against the format's rules and quantised:
/// what `LogitCodec.encode` codes.
struct ScoreSteps {
    /// Steps below 0 of the top-K log-probabilities, `n × K`.
    var top: [UInt32]
    /// Steps below 0 of the gold log-probabilities, `n − 1`.
    var gold: [UInt32]
    /// Signed steps of the log-sum-exps, `n`.
    var logSumExps: [Int32]

    init(_ scores: TokenScores, lossMask: [Bool], vocabularySize: Int) throws(LogitCacheError) {
        let n = scores.ids.count, topK = scores.topK
        guard vocabularySize > 0, vocabularySize <= Int(Int32.max) else {
            throw .unencodable(field: "vocabulary size", problem: "\(vocabularySize) is not in 1...\(Int32.max)")
        }
        guard n >= 1, n <= LogitCodec.maximumTokenCount else {
            throw .unencodable(field: "ids", problem: "\(n) tokens (1 to \(LogitCodec.maximumTokenCount))")
        }
        guard topK >= 0, topK <= LogitCodec.maximumTopK else {
            throw .unencodable(field: "K", problem: "\(topK) is not in 0...\(LogitCodec.maximumTopK)")
        }
        guard n * topK <= LogitCodec.maximumEntryCount else {
            throw .unencodable(field: "K", problem: "\(n) × \(topK) entries (at most \(LogitCodec.maximumEntryCount))")
        }
        try Self.expect(lossMask.count, n - 1, "loss mask")
        try Self.expect(scores.goldLogProbabilities.count, n - 1, "gold log-probabilities")
        try Self.expect(scores.logSumExps.count, n, "log-sum-exps")
        try Self.expect(scores.topIDs.count, n * topK, "top ids")
        try Self.expect(scores.topLogProbabilities.count, n * topK, "top log-probabilities")
        if let bad = scores.ids.firstIndex(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw .unencodable(field: "ids[\(bad)]", problem: "\(scores.ids[bad]) outside 0..<\(vocabularySize)")
        }
        if let bad = scores.topIDs.firstIndex(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw .unencodable(field: "top ids[\(bad)]", problem: "\(scores.topIDs[bad]) outside 0..<\(vocabularySize)")
        }
        top = try Self.steps(scores.topLogProbabilities, "top log-probabilities")
        for index in top.indices where index % max(topK, 1) != 0 && top[index] < top[index - 1] {
            throw .unencodable(field: "top log-probabilities[\(index)]", problem: "the row is not best first")
        }
        gold = try Self.steps(scores.goldLogProbabilities, "gold log-probabilities")
        logSumExps = try scores.logSumExps.indices.map { (index) throws(LogitCacheError) -> Int32 in
            guard let steps = Quantisation.steps(ofValue: scores.logSumExps[index]) else {
                let value = scores.logSumExps[index]
                throw .unencodable(field: "log-sum-exps[\(index)]", problem: "\(value) is not finite within ±32768")
            }
            return steps
        }
    }

    /// Checks that a field has the count the record's length implies.
    static func expect(_ count: Int, _ expected: Int, _ field: String) throws(LogitCacheError) {
        guard count == expected else { throw .unencodable(field: field, problem: "\(count) values, not \(expected)") }
    }

    /// Steps below 0 of each log-probability of `values`.
    static func steps(_ values: [Double], _ field: String) throws(LogitCacheError) -> [UInt32] {
        try values.indices.map { (index) throws(LogitCacheError) -> UInt32 in
            guard let steps = Quantisation.negatedSteps(ofLogProbability: values[index]) else {
                throw .unencodable(field: "\(field)[\(index)]", problem: "\(values[index]) is not a log-probability")
            }
            return steps
        }
    }
}
