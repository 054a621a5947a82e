import Base
import Compute
/// `sce` (select, calculate, erase): keep the ⌊select_topk · m⌋ positions
/// whose task vectors vary most across models (m: positions with non-zero
/// variance), elect signs on the unweighted task vectors, and mix with
/// weights ωᵢ = mean(τᵢ²) normalised; `weight` is accepted and ignored
/// (REFERENCE.md, "Methods").
struct SCEMethod: MergeMethod {
    /// One variance histogram; a key and a mask byte per element.
    var workingMemory: WorkingMemory { WorkingMemory(histograms: 1, scratchBytesPerElement: 5) }
    let name = "sce"
    let baseModelUse = BaseModelUse.required
    let parameters = [
        // A fraction of the positions kept (REFERENCE.md, sce).
        ParameterDefinition("select_topk", .global, default: 1, bounds: .unitInterval),
        ParameterDefinition("weight", .perModel, default: 1),
        ParameterDefinition("int8_mask", .global, default: 0, singleValue: true),
    ]

    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        hasBase && modelCount >= 1 ? nil : "needs a base_model and at least one other model"
    }

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        SCEKernel(
            selectTopK: context.global("select_topk"), modelCount: context.modelCount,
            elementCount: context.elementCount)
    }
}

struct SCEKernel: TensorKernel {
    let selectTopK: Double
    let modelCount: Int
    let elementCount: Int
    /// nil until the first pass has counted the non-zero variances.
    var selection: RankSelection?
    /// ωᵢ, once measured.
    var modelWeights: [Float]?

    init(selectTopK: Double, modelCount: Int, elementCount: Int) {
        self.selectTopK = selectTopK
        self.modelCount = modelCount
        self.elementCount = elementCount
        if selectTopK >= 1 { selection = RankSelection(count: elementCount, elementCount: elementCount) }
    }

    func nextReduction() -> ReductionRequest? {
        guard let selection else { return ReductionRequest(histogramCount: 1, counterCount: 1) }
        if !selection.isDone {
            return selection.needsHistogram ? ReductionRequest(histogramCount: 1) : ReductionRequest(counterCount: 1)
        }
        return modelWeights == nil ? ReductionRequest(sumCount: modelCount) : nil
    }

    /// Variance across models of the task vectors, as ordered keys:
    /// mean((τ − mean τ)²) in Float32, models added in order, computed in
    /// blocks with the models as the outer loop so every loop vectorises.
    private func varianceKeys(_ chunk: ChunkInput, into keys: UnsafeMutableBufferPointer<UInt32>) {
        guard let base = chunk.base else { return }
        let n = Float(modelCount)
        let count = chunk.elementRange.count
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2048) { scratch in
            let means = scratch.baseAddress!, variances = scratch.baseAddress! + 1024  // checked: capacity 2048
            var start = 0
            while start < count {
                let length = min(1024, count - start)
                for offset in 0..<length { means[offset] = 0; variances[offset] = 0 }
                let basePointer = base.baseAddress! + start  // checked: the chunk is not empty
                for model in chunk.models {
                    VectorLoops.addDifference(means, model.baseAddress! + start, basePointer, length)
                }  // checked: as above
                VectorLoops.divide(means, by: n, length)
                for model in chunk.models {
                    VectorLoops.addSquaredDeviation(variances, model.baseAddress! + start, basePointer, means, length)
                }  // checked: as above
                VectorLoops.divide(variances, by: n, length)
                for offset in 0..<length { keys[start + offset] = variances[offset].bitPattern }
                start += length
            }
        }
    }

    func reduce(_ chunk: ChunkInput, into sink: ReductionSink) {
        let count = chunk.elementRange.count
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, count)) { keys in
            varianceKeys(chunk, into: keys)
            let view = UnsafeBufferPointer(rebasing: keys[0..<count])
            guard let selection else {
                let histogram = sink.histogram(0)
                var zeros = 0
                for key in view { histogram[Int(key >> 16)] &+= 1; if key == 0 { zeros += 1 } }
                sink.counters[0] += zeros
                return
            }
            if !selection.isDone {
                selection.reduce(
                    view, histogram: selection.needsHistogram ? sink.histogram(0) : nil,
                    counter: selection.needsHistogram ? nil : sink.counters.baseAddress, chunkIndex: chunk.chunkIndex)
                return
            }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, count)) { mask in
                let maskView = UnsafeMutableBufferPointer(rebasing: mask[0..<count])
                selection.select(view, chunkIndex: chunk.chunkIndex, into: maskView)
                guard let base = chunk.base else { return }
                for (model, values) in chunk.models.enumerated() {
                    for (local, block) in chunk.blocks.enumerated() {
                        var sum = 0.0
                        for index in block.local where maskView[index] != 0 {
                            let d = Double(values[index] - base[index])
                            sum += d * d
                        }
                        sink.setSum(model, localBlock: local, sum)
                    }
                }
            }
        }
    }

    mutating func finishReduction(_ totals: ReductionTotals) {
        guard var current = selection else {
            let zeros = totals.counters.reduce(0, +)
            let count = Int(selectTopK * Double(elementCount - zeros))
            var fresh = RankSelection(count: count, elementCount: elementCount)
            if !fresh.isDone { fresh.finish(histogram: totals.histogram(0), chunkCounts: nil) }
            selection = fresh
            return
        }
        if !current.isDone {
            current.finish(
                histogram: current.needsHistogram ? totals.histogram(0) : nil,
                chunkCounts: current.needsHistogram ? nil : totals.counters)
            selection = current
            return
        }
        let means = totals.sums.map { $0 / Double(max(1, elementCount)) }
        let total = means.reduce(0, +)
        modelWeights =
            abs(total) < 1e-6
            ? Array(repeating: 1 / Float(modelCount), count: modelCount) : means.map { Float($0 / total) }
    }

    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        guard let base = chunk.base, let selection, let weights = modelWeights else { return }
        let count = output.count
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, count)) { keys in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, count)) { mask in
                varianceKeys(chunk, into: keys)
                let maskView = UnsafeMutableBufferPointer(rebasing: mask[0..<count])
                selection.select(
                    UnsafeBufferPointer(rebasing: keys[0..<count]), chunkIndex: chunk.chunkIndex, into: maskView)
                // Masked task vectors, their unweighted sum (the elected
                // sign), then the ω-weighted ones that agree with it.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 1024 * (modelCount + 3)) { scratch in
                    let area = scratch.baseAddress!  // checked: capacity > 0
                    let sums = area, kept = area + 1024, divisors = area + 2048, contributions = area + 3072
                    var start = 0
                    while start < count {
                        let length = min(1024, count - start)
                        for offset in 0..<length { sums[offset] = 0; divisors[offset] = 0 }
                        let selected = kept  // borrowed as the 0/1 mask until the election
                        for offset in 0..<length { selected[offset] = Float(maskView[start + offset]) }
                        for (model, values) in chunk.models.enumerated() {
                            VectorLoops.maskedTask(
                                values.baseAddress! + start, base.baseAddress! + start, mask: selected,
                                weight: weights[model],  // checked: non-empty chunk
                                sums: sums, weighted: contributions + model * 1024, length)
                        }
                        for offset in 0..<length { kept[offset] = 0 }
                        for model in 0..<modelCount {
                            electSigns(
                                contributions + model * 1024, sums: sums, weight: weights[model], kept: kept,
                                divisors: divisors, length: length)
                        }
                        for offset in 0..<length {
                            output[start + offset] = base[start + offset] + kept[offset] / max(divisors[offset], 1e-6)
                        }
                        start += length
                    }
                }
            }
        }
    }
}
