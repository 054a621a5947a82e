import Base
import Foundation

/// The distillation loss over a batch's loss positions and its gradient,
/// a block of the vocabulary at a time (never a positions × vocabulary
/// matrix): `L = λ·CE + (1 − λ)·FUSION`, both means over the P positions
/// the loss masks select, CE against the next token and FUSION the cross
/// entropy against the teacher's top-K renormalised (FuseLLM, Wan et al.
/// 2024, §3.2).
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

    /// Floats of scratch `run` needs.
    var scratchCount: Int { rows.count * VocabularyProjection.blockRowCount }

    /// The two losses of the normalised rows `normalized` (one per loss
    /// position, `hiddenSize` wide) against `head` (`[vocabularySize ×
    /// hiddenSize]`); adds `∂L/∂normalized` and `∂L/∂head`.
    func run(
        normalized: UnsafePointer<Float>, head: UnsafePointer<Float>, vocabularySize: Int, hiddenSize: Int,
        normalizedGradient: UnsafeMutablePointer<Float>, headGradient: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) -> (ce: Double, fusion: Double) {
        let count = rows.count
        guard count > 0 else { return (0, 0) }
        let blockRows = VocabularyProjection.blockRowCount
        var maxima = [Double](repeating: -.infinity, count: count)
        var sums = [Double](repeating: 0, count: count)
        var goldLogits = [Double](repeating: 0, count: count)
        var targetLogits = targets.map { [Double](repeating: 0, count: $0.count) }
        for start in stride(from: 0, to: vocabularySize, by: blockRows) {
            let width = min(blockRows, vocabularySize - start)
            logits(normalized, head: head, start: start, width: width, hiddenSize: hiddenSize, into: scratch)
            for row in 0..<count {
                let line = scratch + row * width
                var maximum = maxima[row]
                for column in 0..<width { maximum = max(maximum, Double(line[column])) }
                var sum = maxima[row] == -.infinity ? 0 : sums[row] * exp(maxima[row] - maximum)
                for column in 0..<width { sum += exp(Double(line[column]) - maximum) }
                (maxima[row], sums[row]) = (maximum, sum)
                if (start..<start + width).contains(golds[row]) { goldLogits[row] = Double(line[golds[row] - start]) }
                for (index, target) in targets[row].enumerated() where (start..<start + width).contains(target.id) {
                    targetLogits[row][index] = Double(line[target.id - start])
                }
            }
        }
        let logSumExps = zip(maxima, sums).map { $0 + log($1) }
        var ce = 0.0
        var fusion = 0.0
        for row in 0..<count {
            ce += logSumExps[row] - goldLogits[row]
            for (index, target) in targets[row].enumerated() {
                fusion += target.probability * (logSumExps[row] - targetLogits[row][index])
            }
        }
        let scale = 1 / Double(count)
        for start in stride(from: 0, to: vocabularySize, by: blockRows) {
            let width = min(blockRows, vocabularySize - start)
            logits(normalized, head: head, start: start, width: width, hiddenSize: hiddenSize, into: scratch)
            for row in 0..<count {
                // ∂L/∂logits: the softmax times the weight of both terms, minus each term's target.
                let line = scratch + row * width
                let weight = (lambda + (targets[row].isEmpty ? 0 : 1 - lambda)) * scale
                for column in 0..<width {
                    line[column] = Float(weight * exp(Double(line[column]) - logSumExps[row]))
                }
                if (start..<start + width).contains(golds[row]) { line[golds[row] - start] -= Float(lambda * scale) }
                for target in targets[row] where (start..<start + width).contains(target.id) {
                    line[target.id - start] -= Float((1 - lambda) * scale * target.probability)
                }
            }
            BackwardKernels.linearInput(
                scratch, rows: count, outputWidth: width, weight: head + start * hiddenSize, inputWidth: hiddenSize,
                normalizedGradient, accumulating: true)
            BackwardKernels.linearWeight(
                scratch, rows: count, outputWidth: width, input: normalized, inputWidth: hiddenSize,
                headGradient + start * hiddenSize, biasGradient: nil)
        }
        return (ce * scale, fusion * scale)
    }

    private func logits(
        _ normalized: UnsafePointer<Float>, head: UnsafePointer<Float>, start: Int, width: Int, hiddenSize: Int,
        into block: UnsafeMutablePointer<Float>
    ) {
        Kernels.linear(
            normalized, rows: rows.count, inputWidth: hiddenSize, inputStride: hiddenSize,
            weight: head + start * hiddenSize, outputWidth: width, bias: nil, block, outputStride: width)
    }
}
