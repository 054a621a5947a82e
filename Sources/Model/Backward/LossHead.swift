import Base
import Foundation

/// What the distillation loss `L = λ·CE + (1 − λ)·FUSION` of a batch is
/// over: the P positions the loss masks select (both terms are means over
/// them), each one's next token (CE) and its teacher's top-K renormalised
/// (FUSION, the cross-entropy against it: FuseLLM, Wan et al. 2024, §3.2).
/// `TrainingPass` computes it a block of positions at a time.
struct LossHead {
    /// The flat rows whose predictions count.
    let rows: [Int]
    /// Each row's next token.
    let golds: [Int]
    /// Each row's teacher tokens and their renormalised probabilities
    /// (none when the record has no targets).
    let targets: [[(id: Int, probability: Double)]]
    let lambda: Double

    init(batch: TrainingBatch, lambda: Double) {
        var rows: [Int] = []
        var golds: [Int] = []
        var targets: [[(id: Int, probability: Double)]] = []
        for (record, offset) in zip(batch.records, batch.offsets) {
            for position in record.lossMask.indices where record.lossMask[position] {
                rows.append(offset + position)
                golds.append(Int(record.ids[position + 1]))
                guard record.hasTargets else {
                    targets.append([])
                    continue
                }
                let logProbabilities = record.targetLogProbabilities[position].map(Double.init)
                let largest = logProbabilities.max() ?? 0
                let weights = logProbabilities.map { exp($0 - largest) }
                let total = weights.reduce(0, +)
                targets.append(zip(record.targetIDs[position], weights).map { (Int($0), $1 / total) })
            }
        }
        self.rows = rows
        self.golds = golds
        self.targets = targets
        self.lambda = lambda
    }
}
