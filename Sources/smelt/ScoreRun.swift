import Base
import Model
import Tokenize

/// One `smelt score` run: records are read and encoded in batches, packed
/// into forward-pass batches that fit the memory budget, scored, and
/// printed in file order.
struct ScoreRun {
    let model: LanguageModel
    let encoder: RecordEncoder
    let topK: Int
    /// Draws per position instead of (or beside) the top-K, for `smelt logits --sample`.
    var sampling: TokenSampling? = nil
    let maxTokens: Int
    let threads: Int
    let budget: ByteBudget
    let json: Bool
    let showsProgress: Bool

    /// A record ready to score: its id, line, tokens and loss mask over positions.
    struct Item {
        let record: DataRecord
        /// The record's place among the data file's records, from 0.
        let ordinal: Int
        let tokens: RecordTokens
        var ids: [Int] { tokens.ids }
        var lossMask: [Bool] { tokens.lossMask }
    }

    func score(_ path: String) throws {
        var totals = ScoreTotals()
        let progress = try forEachBatch(path, label: "score") { results in
            var output: [UInt8] = []
            for result in results {
                totals.add(result)
                output += json ? ScoreFormat.jsonLine(result) : Array(ScoreFormat.text(result).utf8)
            }
            writeToStandardOutput(bytes: output)
        }
        writeToStandardOutput(bytes: json ? ScoreFormat.summaryLine(totals) : Array(ScoreFormat.summaryText(totals).utf8))
        if !json && showsProgress && isTerminal(2) {
            writeToStandardError(ScoreFormat.speedText(tokens: totals.tokens, seconds: progress.elapsedSeconds))
        }
    }

    /// Reads, encodes and scores the records of `path` whose ordinal (their
    /// place among the file's records, from 0) `isSelected` accepts, in
    /// forward batches that fit the budget, handing each batch's results to
    /// `consume` in file order. Returns the finished progress display.
    @discardableResult
    func forEachBatch(
        _ path: String, label: String, isSelected: (Int) -> Bool = { _ in true },
        consume: ([RecordResult]) throws -> Void
    ) throws -> ScoreProgress {
        var batches = try RecordBatches(path: path, encoder: encoder, addSpecialTokens: true, threads: threads)
        let fileBytes = try FileSystem.status(path)?.size ?? 0
        let progress = ScoreProgress(totalBytes: fileBytes, enabled: showsProgress, label: label)
        let tokenLimit = forwardBatchTokenLimit()
        var ordinal = 0
        while let (records, error) = try batches.next() {
            var pending: [Item] = []
            var pendingTokens = 0
            var pendingBytes = 0
            for (record, encoding, bytes) in records {
                defer { ordinal += 1 }
                guard isSelected(ordinal) else {
                    progress.advance(records: 0, tokens: 0, bytes: bytes)
                    continue
                }
                let item = try item(record, encoding, ordinal: ordinal)
                if !pending.isEmpty && pendingTokens + item.ids.count > tokenLimit {
                    try flush(pending, progress: progress, bytes: pendingBytes, consume: consume)
                    pending = []
                    pendingTokens = 0
                    pendingBytes = 0
                }
                pending.append(item)
                pendingTokens += item.ids.count
                pendingBytes += bytes
            }
            if !pending.isEmpty { try flush(pending, progress: progress, bytes: pendingBytes, consume: consume) }
            if let error { throw error }
        }
        progress.finish()
        return progress
    }

    /// The most tokens of one forward batch, whatever the budget: enough
    /// rows for full-speed products, and what a killed `smelt logits` loses.
    static let maximumBatchTokenCount = 8_192

    /// Tokens one forward batch may hold beside the fixed buffers.
    private func forwardBatchTokenLimit() -> Int {
        let fixed = model.fixedBytes(threads: threads)
        let free = budget.limitBytes > fixed ? budget.limitBytes - fixed : 0
        let fitting = Int(free / model.bytesPerToken(topK: topK, sampleCount: sampling?.count ?? 0))
        return max(1, min(Self.maximumBatchTokenCount, fitting))
    }

    private func item(_ record: DataRecord, _ encoding: RecordEncoding, ordinal: Int) throws -> Item {
        let tokens = try RecordTokens(record, encoding, maxTokens: maxTokens)
        return Item(record: record, ordinal: ordinal, tokens: tokens)
    }

    private func flush(
        _ items: [Item], progress: ScoreProgress, bytes: Int, consume: ([RecordResult]) throws -> Void
    ) throws {
        let scores = try model.score(
            items.map(\.ids), topK: topK, sampling: sampling, threads: threads, budget: budget)
        progress.finish()
        try consume(zip(items, scores).map { RecordResult(item: $0, scores: $1) })
        progress.advance(records: items.count, tokens: items.reduce(0) { $0 + $1.ids.count }, bytes: bytes)
    }
}

/// A scored record with its loss.
struct RecordResult {
    let item: ScoreRun.Item
    let scores: TokenScores

    var lossCount: Int { item.tokens.lossCount }
    var negativeLogLikelihood: Double { item.tokens.negativeLogLikelihood(scores) }
    var meanNegativeLogLikelihood: Double? { lossCount > 0 ? negativeLogLikelihood / Double(lossCount) : nil }
}

/// The run's totals: NLL summed over every loss position of every record.
struct ScoreTotals {
    var records = 0
    var tokens = 0
    var lossTokens = 0
    var negativeLogLikelihood = 0.0

    mutating func add(_ result: RecordResult) {
        records += 1
        tokens += result.item.ids.count
        lossTokens += result.lossCount
        negativeLogLikelihood += result.negativeLogLikelihood
    }

    var meanNegativeLogLikelihood: Double? { lossTokens > 0 ? negativeLogLikelihood / Double(lossTokens) : nil }
}
