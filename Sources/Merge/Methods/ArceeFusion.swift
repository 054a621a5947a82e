import Base
import Foundation

/// `arcee_fusion`: importance |Δ|·KL(softmax(x) ‖ softmax(b)) with the KL
/// divergence per row (softmax over the last dimension, 1e-8 added to both
/// distributions); take b + Δ where the importance reaches median + 1.5·IQR
/// of the tensor's importances, else b. The quartiles are the exact order
/// statistics at ⌊q·(N − 1)⌋, which is what mergekit computes for tensors
/// of up to a million elements (it samples larger ones at random).
struct ArceeFusionMethod: MergeMethod {
    let name = "arcee_fusion"
    let baseModelUse = BaseModelUse.required
    let parameters: [ParameterDefinition] = []

    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        modelCount == 1 && hasBase ? nil : "needs the base_model and exactly one other model"
    }

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        ArceeFusionKernel(rowLength: context.rowLength, elementCount: context.elementCount)
    }
}

struct ArceeFusionKernel: TensorKernel {
    let rowLength: Int
    let elementCount: Int
    /// First quartile, median, third quartile.
    var quartiles: [RankSelection]
    var threshold: Float?

    init(rowLength: Int, elementCount: Int) {
        self.rowLength = rowLength
        self.elementCount = elementCount
        // The value at ascending position r is the (N − r)-th largest.
        quartiles = [0.25, 0.5, 0.75].map { quantile in
            let position = Int(quantile * Double(max(0, elementCount - 1)))
            return RankSelection(count: elementCount - position, elementCount: elementCount, needsCutoff: true)
        }
        if elementCount == 0 { threshold = 0 }
    }

    var needsWholeRows: Bool { true }

    func nextReduction() -> ReductionRequest? {
        threshold == nil ? ReductionRequest(histogramCount: quartiles.count) : nil
    }

    /// Importance keys (`orderedKey` of each element's importance).
    private func importanceKeys(_ chunk: ChunkInput, into keys: UnsafeMutableBufferPointer<UInt32>) {
        guard let base = chunk.base else { return }
        let model = chunk.models[0]
        let count = chunk.elementRange.count
        var rowStart = 0
        while rowStart < count {
            let range = rowStart..<min(count, rowStart + rowLength)
            let divergence = Float(Self.divergence(model, base, range))
            // Rounding can make a KL of near-identical rows slightly
            // negative; ordered keys keep such importances lowest, as a sort would.
            for index in range { keys[index] = orderedKey(abs(model[index] - base[index]) * divergence) }
            rowStart = range.upperBound
        }
    }

    /// KL(softmax(x) + ε ‖ softmax(b) + ε) over one row, in Float64.
    static func divergence(
        _ x: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, _ range: Range<Int>
    ) -> Double {
        var maxX = -Double.infinity, maxB = -Double.infinity
        for index in range { maxX = max(maxX, Double(x[index])); maxB = max(maxB, Double(b[index])) }
        var sumX = 0.0, sumB = 0.0
        for index in range { sumX += exp(Double(x[index]) - maxX); sumB += exp(Double(b[index]) - maxB) }
        var total = 0.0
        for index in range {
            let p = exp(Double(x[index]) - maxX) / sumX + 1e-8
            let q = exp(Double(b[index]) - maxB) / sumB + 1e-8
            total += p * log(p / q)
        }
        return total
    }

    func reduce(_ chunk: ChunkInput, into sink: ReductionSink) {
        let count = chunk.elementRange.count
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, count)) { keys in
            importanceKeys(chunk, into: keys)
            let view = UnsafeBufferPointer(rebasing: keys[0..<count])
            for (index, selection) in quartiles.enumerated() where !selection.isDone {
                selection.reduce(view, histogram: sink.histogram(index), counter: nil, chunkIndex: chunk.chunkIndex)
            }
        }
    }

    mutating func finishReduction(_ totals: ReductionTotals) {
        for index in quartiles.indices where !quartiles[index].isDone {
            quartiles[index].finish(histogram: totals.histogram(index), chunkCounts: nil)
        }
        if quartiles.allSatisfy(\.isDone) {
            let values = quartiles.map { value(ofOrderedKey: $0.cutoff) }
            threshold = values[1] + 1.5 * (values[2] - values[0])
        }
    }

    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        guard let base = chunk.base, let threshold else { return }
        let model = chunk.models[0]
        let count = output.count
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, count)) { keys in
            importanceKeys(chunk, into: keys)
            for index in 0..<count {
                output[index] =
                    value(ofOrderedKey: keys[index]) >= threshold
                    ? base[index] + (model[index] - base[index]) : base[index]
            }
        }
    }
}
