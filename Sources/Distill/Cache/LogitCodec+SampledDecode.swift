extension LogitCodec {
    /// The sampled record in `bytes` (one whole payload of `encodeSampled`),
    /// with every id checked against `vocabularySize`. Throws
    /// `LogitCacheError` for any bytes `encodeSampled` cannot have written.
    public static func decodeSampled(
        _ bytes: UnsafeRawBufferPointer, vocabularySize: Int
    ) throws(LogitCacheError) -> SampledRecord<Float> {
        let sections = try PayloadSections.split(bytes, kind: sampledKind, countFields: ["token count"])
        let n = Int(sections.counts[0])
        guard n >= 1, n <= maximumTokenCount else {
            throw .malformed(field: "token count", problem: "\(n) (1 to \(maximumTokenCount))")
        }
        // Every position codes at least two symbols (its entry count and log-sum-exp).
        guard 2 * n <= FrequencyTable.symbolBudget(ransByteCount: sections.rans.count) else {
            throw .malformed(field: "token count", problem: "\(n) is more than the payload can hold")
        }
        return try SymbolStreamReader.withTables(contextCount: sampledContextCount) {
            (tables) throws(LogitCacheError) -> SampledRecord<Float> in
            var stream = try SymbolStreamReader(
                rans: sections.rans, bitSection: sections.bits, contextCount: sampledContextCount, tables: tables)
            let record = try RecencyList.with(capacity: RecencyList.capacity(topK: 0)) {
                (recency: inout RecencyList) throws(LogitCacheError) in
                try decodeSampledBody(n: n, vocabularySize: vocabularySize, stream: &stream, recency: &recency)
            }
            try stream.finish()
            return record
        }
    }

    /// Decodes the symbols of a sampled record of `n` tokens after the header.
    private static func decodeSampledBody(
        n: Int, vocabularySize: Int, stream: inout SymbolStreamReader, recency: inout RecencyList
    ) throws(LogitCacheError) -> SampledRecord<Float> {
        let lossMask = try RecordPreamble.readMask(count: n - 1, context: Context.lossMask, from: &stream)
        var ids = [Int32](repeating: 0, count: n)
        var gold = [Float](repeating: 0, count: n - 1)
        var logSumExps = [Float](repeating: 0, count: n)
        var positions: [SampledPosition<Float>] = []
        positions.reserveCapacity(n)
        ids[0] = try stream.id(
            context: Context.otherID, recency: &recency, vocabularySize: vocabularySize, field: "ids[0]")
        var previousLogSumExp: Int32 = 0
        var entryCount = 0
        for index in 0..<n {
            let field = "position \(index)"
            let count = Int(try stream.value(context: entryCountContext, field: field))
            // Each entry codes three symbols: never reserve more than the bytes can hold.
            entryCount += count
            guard count <= maximumTopK, 3 * count <= stream.symbolBudget, entryCount <= maximumEntryCount else {
                throw .malformed(field: field, problem: "\(count) entries, more than the payload can hold")
            }
            var position = SampledPosition<Float>(ids: [], counts: [], logProbabilities: [])
            position.ids.reserveCapacity(count)
            position.counts.reserveCapacity(count)
            position.logProbabilities.reserveCapacity(count)
            for place in 0..<count {
                position.ids.append(
                    try stream.id(
                        context: Context.id(rank: place), recency: &recency, vocabularySize: vocabularySize,
                        field: "id \(place) of \(field)"))
            }
            for place in 0..<count {
                let draws = try stream.value(context: drawCountContext, field: "count \(place) of \(field)")
                guard draws < UInt32(UInt16.max) else {
                    throw .malformed(field: "count \(place) of \(field)", problem: "above \(UInt16.max)")
                }
                position.counts.append(UInt16(draws + 1))
            }
            var steps: UInt32 = 0
            for place in 0..<count {
                let context = place == 0 ? Context.logProbabilityFirst : Context.gap(rank: place)
                let coded = try stream.value(context: context, field: "log-probability \(place) of \(field)")
                if place == 0 {
                    guard coded <= Quantisation.maximumSteps else {
                        throw .malformed(field: "log-probability 0 of \(field)", problem: "below −32768")
                    }
                    steps = coded
                } else {
                    steps = try RecordPreamble.steps(delta: coded, reference: steps, position: index)
                }
                position.logProbabilities.append(Quantisation.logProbability(negatedSteps: steps))
            }
            let delta = try stream.value(context: Context.logSumExp, field: "log-sum-exp")
            previousLogSumExp = try RecordPreamble.logSumExp(delta: delta, previous: previousLogSumExp, position: index)
            logSumExps[index] = Quantisation.value(steps: previousLogSumExp)
            if index + 1 < n {
                let rank = try stream.value(context: Context.goldRank, field: "gold rank")
                if rank > 0 {
                    guard rank <= count else {
                        throw .malformed(field: "gold rank of \(field)", problem: "\(rank) above its \(count) entries")
                    }
                    ids[index + 1] = position.ids[Int(rank) - 1]
                    gold[index] = position.logProbabilities[Int(rank) - 1]
                } else {
                    ids[index + 1] = try stream.id(
                        context: Context.otherID, recency: &recency, vocabularySize: vocabularySize,
                        field: "ids[\(index + 1)]")
                    let delta = try stream.value(context: Context.goldValue, field: "gold log-probability")
                    gold[index] = Quantisation.logProbability(
                        negatedSteps: try RecordPreamble.steps(delta: delta, reference: steps, position: index))
                }
            }
            positions.append(position)
        }
        return SampledRecord(
            ids: ids, lossMask: lossMask, goldLogProbabilities: gold, logSumExps: logSumExps, positions: positions)
    }
}
