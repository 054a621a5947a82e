import Base
import Foundation
import Model
import Synchronization

/// How `smelt score` prints: JSON lines (one per record, then the summary)
/// or a line of text per record.
enum ScoreFormat {
    /// `{"id", "ids", "n_tokens", "gold_logprob", "logsumexp", "top_ids",
    /// "top_logprobs", "loss_mask", "mean_nll"}`.
    static func jsonLine(_ result: RecordResult) -> [UInt8] {
        jsonLine(
            id: result.item.record.id.rendered(), scores: result.scores, lossMask: result.item.lossMask,
            meanNLL: result.meanNegativeLogLikelihood)
    }

    /// The same line from its parts: `id` as JSON text.
    static func jsonLine(id: String, scores: TokenScores, lossMask: [Bool], meanNLL: Double?) -> [UInt8] {
        let count = scores.ids.count
        var json = CompactJSONBuffer(reservingCapacity: count * (24 + scores.topK * 20) + 64)
        json.raw("{\"id\": ")
        json.raw(id)
        json.raw(", \"ids\": [")
        for (index, id) in scores.ids.enumerated() {
            if index > 0 { json.raw(", ") }
            json.integer(id)
        }
        json.raw("], \"n_tokens\": ")
        json.integer(count)
        json.raw(", \"gold_logprob\": [")
        numbers(scores.goldLogProbabilities, into: &json)
        json.raw("], \"logsumexp\": [")
        numbers(scores.logSumExps, into: &json)
        json.raw("], \"top_ids\": [")
        for position in 0..<count {
            json.raw(position > 0 ? ", [" : "[")
            for rank in 0..<scores.topK {
                if rank > 0 { json.raw(", ") }
                json.integer(scores.topIDs[position * scores.topK + rank])
            }
            json.raw("]")
        }
        json.raw("], \"top_logprobs\": [")
        for position in 0..<count {
            json.raw(position > 0 ? ", [" : "[")
            let start = position * scores.topK
            numbers(scores.topLogProbabilities[start..<start + scores.topK], into: &json)
            json.raw("]")
        }
        json.raw("], \"loss_mask\": [")
        for (index, counts) in lossMask.enumerated() {
            if index > 0 { json.raw(", ") }
            json.raw(counts ? "true" : "false")
        }
        json.raw("], \"mean_nll\": ")
        json.raw(number(meanNLL))
        json.raw("}\n")
        return json.bytes
    }

    /// `{"summary": {"records", "tokens", "loss_tokens", "mean_nll", "perplexity"}}`.
    static func summaryLine(_ totals: ScoreTotals) -> [UInt8] {
        let mean = totals.meanNegativeLogLikelihood
        let line =
            "{\"summary\": {\"records\": \(totals.records), \"tokens\": \(totals.tokens), "
            + "\"loss_tokens\": \(totals.lossTokens), \"mean_nll\": \(number(mean)), "
            + "\"perplexity\": \(number(mean.map { exp($0) }))}}\n"
        return Array(line.utf8)
    }

    static func text(_ result: RecordResult) -> String {
        let record = result.item.record
        let mean = result.meanNegativeLogLikelihood
        return "record \(record.id.rendered()) (line \(record.line)): \(result.item.ids.count) tokens, "
            + "\(result.lossCount) in the loss, mean NLL \(decimal(mean)), perplexity \(decimal(mean.map { exp($0) }))\n"
    }

    static func summaryText(_ totals: ScoreTotals) -> String {
        let mean = totals.meanNegativeLogLikelihood
        return "\(totals.records) records, \(totals.tokens) tokens, \(totals.lossTokens) in the loss: "
            + "mean NLL \(decimal(mean)) nats, perplexity \(decimal(mean.map { exp($0) }))\n"
    }

    static func speedText(tokens: Int, seconds: Double) -> String {
        "\(Formatting.decimal(Double(tokens) / max(seconds, 1e-9), places: 1)) tokens/s\n"
    }

    /// Shortest text that reads back as the same Float32 (log-probs are
    /// Float32 logits minus a Float64 log-sum-exp: more digits would be noise).
    private static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return Float(value).description
    }

    private static func numbers<C: Collection<Double>>(_ values: C, into json: inout CompactJSONBuffer) {
        var first = true
        for value in values {
            if !first { json.raw(", ") }
            first = false
            json.raw(number(value))
        }
    }

    private static func decimal(_ value: Double?) -> String {
        value.map { Formatting.decimal($0, places: 4) } ?? "n/a"
    }
}

/// Records, tokens, tokens/s and ETA (by bytes of the data file read) on a
/// terminal's standard error.
final class ScoreProgress: Sendable {
    let totalBytes: UInt64
    let isEnabled: Bool
    /// The command, first on the line.
    let label: String
    let startTime = monotonicSeconds()
    private let state = Mutex((records: 0, tokens: 0, bytes: UInt64(0)))

    init(totalBytes: UInt64, enabled: Bool, label: String) {
        self.totalBytes = totalBytes
        self.label = label
        isEnabled = enabled && isTerminal(2) && totalBytes > 0
    }

    var elapsedSeconds: Double { monotonicSeconds() - startTime }

    func advance(records: Int, tokens: Int, bytes: Int) {
        guard isEnabled else { return }
        let line = state.withLock { state in
            state.records += records
            state.tokens += tokens
            state.bytes += UInt64(bytes)
            let seconds = max(elapsedSeconds, 1e-6)
            let fraction = min(1, Double(state.bytes) / Double(totalBytes))
            let remaining = fraction > 0 ? seconds * (1 - fraction) / fraction : 0
            return "\r\(label): \(state.records) records, \(state.tokens) tokens, "
                + "\(Formatting.decimal(Double(state.tokens) / seconds, places: 1)) tokens/s, "
                + "\(Int(fraction * 100))%, ETA \(Int(remaining.rounded()))s \u{1B}[K"
        }
        writeToStandardError(line, terminator: "")
    }

    func finish() {
        if isEnabled { writeToStandardError("\r\u{1B}[K", terminator: "") }
    }
}
