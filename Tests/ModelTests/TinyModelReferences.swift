import Base
import Foundation
import Model
import TestSupport

/// transformers' Float32 eager outputs for a tiny model
/// (tools/make_tiny_model_references.py).
struct TinyModelReference {
    let ids: [Int]
    let gold: [Double]
    let logSumExps: [Double]
    let topIDs: [[Int]]
    let topLogProbabilities: [[Double]]

    static func load(_ model: String) throws -> [TinyModelReference] {
        let text = String(decoding: try TestFiles.read(TestFiles.fixture("model/\(model).references.jsonl")), as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return TinyModelReference(
                ids: object["ids"] as? [Int] ?? [], gold: object["gold_logprob"] as? [Double] ?? [],
                logSumExps: object["logsumexp"] as? [Double] ?? [], topIDs: object["top_ids"] as? [[Int]] ?? [],
                topLogProbabilities: object["top_logprobs"] as? [[Double]] ?? [])
        }
    }
}

/// The largest differences between a run and its references, and the
/// positions whose top-1 differs where the reference's top-2 gap is ≥ 1e-3.
struct FidelityReport: CustomStringConvertible {
    var goldDelta = 0.0
    var logSumExpDelta = 0.0
    var topMismatches: [String] = []

    init(_ scores: [TokenScores], _ references: [TinyModelReference]) {
        for (score, reference) in zip(scores, references) {
            for (found, expected) in zip(score.goldLogProbabilities, reference.gold) {
                goldDelta = max(goldDelta, abs(found - expected))
            }
            for (position, expected) in reference.logSumExps.enumerated() {
                logSumExpDelta = max(logSumExpDelta, abs(score.logSumExps[position] - expected))
                let top = reference.topLogProbabilities[position]
                if top[0] - top[1] >= 1e-3 && Int(score.topIDs[position * score.topK]) != reference.topIDs[position][0] {
                    topMismatches.append("record of \(reference.ids.count) tokens, position \(position)")
                }
            }
        }
    }

    var description: String {
        "max |Δ gold| \(goldDelta), max |Δ logsumexp| \(logSumExpDelta), top-1 mismatches \(topMismatches)"
    }
}
