extension LogitCodec {
    /// The record in `bytes` (one whole payload of `encode`), with every id
    /// checked against `vocabularySize`. Throws `LogitCacheError` for any
    /// bytes `encode` cannot have written: truncated, trailing, damaged, or
    /// counts beyond what the bytes can hold.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, vocabularySize: Int
    ) throws(LogitCacheError) -> CachedRecord {
        let sections = try PayloadSections.split(bytes, kind: topKKind, countFields: ["token count", "K"])
        let n = Int(sections.counts[0]), topK = Int(sections.counts[1])
        guard n >= 1, n <= maximumTokenCount else {
            throw .malformed(field: "token count", problem: "\(n) (1 to \(maximumTokenCount))")
        }
        guard topK <= maximumTopK, n * topK <= maximumEntryCount else {
            throw .malformed(
                field: "K", problem: "\(topK) (at most \(maximumTopK), and n × K at most \(maximumEntryCount))")
        }
        // Every position codes at least 2K + 1 symbols; no more can come out of these bytes.
        let budget = FrequencyTable.symbolBudget(ransByteCount: sections.rans.count)
        guard n * (2 * topK + 1) <= budget else {
            throw .malformed(field: "token count", problem: "\(n) × K = \(topK) is more than the payload can hold")
        }
        return try SymbolStreamReader.withTables(contextCount: topKContextCount) {
            (tables) throws(LogitCacheError) -> CachedRecord in
            var stream = try SymbolStreamReader(
                rans: sections.rans, bitSection: sections.bits, contextCount: topKContextCount, tables: tables)
            let record = try RecencyList.with(capacity: RecencyList.capacity(topK: topK)) {
                (recency: inout RecencyList) throws(LogitCacheError) in
                try decodeBody(n: n, topK: topK, vocabularySize: vocabularySize, stream: &stream, recency: &recency)
            }
            try stream.finish()
            return record
        }
    }

    /// Decodes the symbols of a record of `n` tokens after the header.
    private static func decodeBody(
        n: Int, topK: Int, vocabularySize: Int, stream: inout SymbolStreamReader, recency: inout RecencyList
    ) throws(LogitCacheError) -> CachedRecord {
        let lossMask = try RecordPreamble.readMask(count: n - 1, context: Context.lossMask, from: &stream)
        var ids = [Int32](repeating: 0, count: n)
        var topIDs = [Int32](repeating: 0, count: n * topK)
        var topLogProbabilities = [Float](repeating: 0, count: n * topK)
        var gold = [Float](repeating: 0, count: n - 1)
        var logSumExps = [Float](repeating: 0, count: n)
        var steps = [UInt32](repeating: 0, count: max(topK, 1))
        try ids.withUnsafeMutableBufferPointer { (ids) throws(LogitCacheError) in
            try topIDs.withUnsafeMutableBufferPointer { (topIDs) throws(LogitCacheError) in
                try topLogProbabilities.withUnsafeMutableBufferPointer { (top) throws(LogitCacheError) in
                    try steps.withUnsafeMutableBufferPointer { (steps) throws(LogitCacheError) in
                        ids[0] = try stream.id(
                            context: Context.otherID, recency: &recency, vocabularySize: vocabularySize,
                            field: "ids[0]")
                        var previousLogSumExp: Int32 = 0
                        for position in 0..<n {
                            let row = position * topK
                            for rank in 0..<topK {
                                topIDs[row + rank] = try stream.id(
                                    context: Context.id(rank: rank), recency: &recency,
                                    vocabularySize: vocabularySize, field: "top id \(rank) of position \(position)")
                            }
                            var current: UInt32 = 0
                            for rank in 0..<topK {
                                let context = rank == 0 ? Context.logProbabilityFirst : Context.gap(rank: rank)
                                let step = try stream.value(context: context, field: "top log-probability")
                                guard step <= Quantisation.maximumSteps - current else {
                                    throw .malformed(
                                        field: "top log-probability \(rank) of position \(position)",
                                        problem: "below −32768")
                                }
                                current += step
                                steps[rank] = current
                                top[row + rank] = Quantisation.logProbability(negatedSteps: current)
                            }
                            let delta = try stream.value(context: Context.logSumExp, field: "log-sum-exp")
                            previousLogSumExp = try RecordPreamble.logSumExp(
                                delta: delta, previous: previousLogSumExp, position: position)
                            logSumExps[position] = Quantisation.value(steps: previousLogSumExp)
                            guard position + 1 < n else { continue }
                            let rank = try stream.value(context: Context.goldRank, field: "gold rank")
                            if rank > 0 {
                                guard rank <= topK else {
                                    throw .malformed(
                                        field: "gold rank of position \(position)", problem: "\(rank) above K")
                                }
                                ids[position + 1] = topIDs[row + Int(rank) - 1]
                                gold[position] = top[row + Int(rank) - 1]
                            } else {
                                ids[position + 1] = try stream.id(
                                    context: Context.otherID, recency: &recency, vocabularySize: vocabularySize,
                                    field: "ids[\(position + 1)]")
                                let delta = try stream.value(context: Context.goldValue, field: "gold log-probability")
                                let goldSteps = try RecordPreamble.steps(
                                    delta: delta, reference: topK == 0 ? 0 : steps[topK - 1], position: position)
                                gold[position] = Quantisation.logProbability(negatedSteps: goldSteps)
                            }
                        }
                    }
                }
            }
        }
        return CachedRecord(
            ids: ids, lossMask: lossMask, topK: topK, topIDs: topIDs, topLogProbabilities: topLogProbabilities,
            goldLogProbabilities: gold, logSumExps: logSumExps)
    }
}
