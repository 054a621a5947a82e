import Model

/// The sampled kind of record (random-sampling distillation, arXiv
/// 2503.16870): per position the distinct ids of N draws from the teacher,
/// their counts and log-probabilities, instead of the top K.
///
/// Same framing, grid and checks as the top-K kind (`LogitCodec`), with
/// kind byte 2, only n among the counts, and 14 contexts. Per position:
/// the number of entries m, 0 ... 4096 (context 12); each entry's id
/// (contexts 0, 1, 1, 2, ... by place); each count − 1 (context 13); the
/// log-probabilities as steps below 0, the first as itself (context 3), the
/// rest as zigzag deltas from the one before (contexts 4, 5, 5, 5, 6, ...:
/// entries keep the caller's order, so deltas can be negative); then the
/// log-sum-exp and the gold token as in the top-K kind, the gold's rank
/// being its place among the entries.
extension LogitCodec {
    static let sampledKind: UInt8 = 2
    static let sampledContextCount = 14
    static let entryCountContext = 12
    static let drawCountContext = 13

    /// The bytes of one record of sampled targets. Throws
    /// `LogitCacheError.unencodable` for counts that do not agree, a count
    /// of 0, more than `maximumTopK` entries at a position or
    /// `maximumEntryCount` in all, ids outside `0..<vocabularySize`, or
    /// values as `encode` refuses them.
    public static func encodeSampled(
        _ record: SampledRecord<Double>, vocabularySize: Int
    ) throws(LogitCacheError) -> [UInt8] {
        let n = record.ids.count
        let positions = record.positions
        try ScoreSteps.expect(positions.count, n, "positions")
        for (index, position) in positions.enumerated() {
            try ScoreSteps.expect(position.counts.count, position.ids.count, "counts of position \(index)")
            try ScoreSteps.expect(
                position.logProbabilities.count, position.ids.count, "log-probabilities of position \(index)")
            guard position.ids.count <= maximumTopK else {
                throw .unencodable(field: "position \(index)", problem: "more than \(maximumTopK) entries")
            }
            guard !position.counts.contains(0) else {
                throw .unencodable(field: "counts of position \(index)", problem: "a count of 0")
            }
        }
        let entryCount = positions.reduce(0) { $0 + $1.ids.count }
        guard entryCount <= maximumEntryCount else {
            throw .unencodable(field: "positions", problem: "\(entryCount) entries (at most \(maximumEntryCount))")
        }
        // The top-K checks on the record's own fields, with the entries as K = 0.
        let recordScores = TokenScores(
            ids: record.ids.map(Int.init), topK: 0, goldLogProbabilities: record.goldLogProbabilities,
            logSumExps: record.logSumExps, topIDs: [], topLogProbabilities: [])
        let values = try ScoreSteps(recordScores, lossMask: record.lossMask, vocabularySize: vocabularySize)
        let entrySteps = try positions.enumerated().map { (index, position) throws(LogitCacheError) in
            if let bad = position.ids.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
                throw .unencodable(field: "ids of position \(index)", problem: "\(bad) outside 0..<\(vocabularySize)")
            }
            return try ScoreSteps.steps(position.logProbabilities, "log-probabilities of position \(index)")
        }

        var stream = SymbolStreamWriter(contextCount: sampledContextCount)
        RecordPreamble.writeMask(record.lossMask, context: Context.lossMask, to: &stream)
        RecencyList.with(capacity: RecencyList.capacity(topK: 0)) { (recency: inout RecencyList) in
            stream.id(record.ids[0], context: Context.otherID, recency: &recency)
            var previousLogSumExp: Int32 = 0
            for (index, position) in positions.enumerated() {
                let steps = entrySteps[index]
                stream.value(UInt32(position.ids.count), context: entryCountContext)
                for (place, id) in position.ids.enumerated() {
                    stream.id(id, context: Context.id(rank: place), recency: &recency)
                }
                for count in position.counts { stream.value(UInt32(count - 1), context: drawCountContext) }
                for place in steps.indices {
                    if place == 0 {
                        stream.value(steps[0], context: Context.logProbabilityFirst)
                    } else {
                        let delta = Int32(Int64(steps[place]) - Int64(steps[place - 1]))  // checked: within ±2^24
                        stream.value(ValueBucket.zigzag(delta), context: Context.gap(rank: place))
                    }
                }
                let logSumExp = values.logSumExps[index]
                stream.value(
                    RecordPreamble.logSumExpDelta(logSumExp, previous: previousLogSumExp), context: Context.logSumExp)
                previousLogSumExp = logSumExp
                guard index + 1 < n else { continue }
                let gold = record.ids[index + 1], goldSteps = values.gold[index]
                if let place = steps.indices.first(where: { position.ids[$0] == gold && steps[$0] == goldSteps }) {
                    stream.value(UInt32(place + 1), context: Context.goldRank)
                } else {
                    stream.value(0, context: Context.goldRank)
                    stream.id(gold, context: Context.otherID, recency: &recency)
                    let delta = Int32(Int64(goldSteps) - Int64(steps.last ?? 0))  // checked: within ±2^24
                    stream.value(ValueBucket.zigzag(delta), context: Context.goldValue)
                }
            }
        }
        let (rans, bits) = stream.finish()
        let tokenCount = UInt32(n)  // checked: n ≤ 2^20 by ScoreSteps
        return PayloadSections.assemble(kind: sampledKind, counts: [tokenCount], rans: rans, bits: bits)
    }
}
