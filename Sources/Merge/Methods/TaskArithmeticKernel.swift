import Base
import Compute
/// The generalized task-arithmetic core on one tensor: prune each task
/// vector δᵢ = xᵢ − b, optionally rescale, weight, optionally elect signs,
/// mix, times λ, plus b (REFERENCE.md).
struct TaskArithmeticKernel: TensorKernel {
    let sparsification: Sparsification
    let electsSign: Bool
    let normalizes: Bool
    let rescales: Bool
    let weights: [Float]
    let densities: [Double]
    let epsilons: [Double]
    let lambda: Float
    let elementCount: Int
    let rowLength: Int
    let randoms: [CounterRandom]
    /// Magnitude: one selection per model. Breadcrumbs: the top cut of
    /// model i at i, its bottom cut at modelCount + i.
    var selections: [RankSelection] = []
    /// DELLA's keep decisions from the rescale pass, for the final pass.
    var keepMasks: KeepMaskSpill?
    /// ‖δ‖₁ / ‖kept‖₁ per model, once measured.
    var rescaleFactors: [Float]
    var needsRescalePass: Bool

    init(method: TaskArithmeticMethod, context: TensorContext) {
        sparsification = method.sparsification
        electsSign = method.electsSign
        normalizes = context.flag("normalize")
        weights = context.perModel("weight").map { Float($0) }
        densities = context.perModel("density")
        epsilons = context.perModel("epsilon")
        lambda = Float(context.global("lambda"))
        elementCount = context.elementCount
        rowLength = context.rowLength
        let count = context.modelCount
        randoms = (0..<count).map { CounterRandom(seed: context.seed, tensorName: context.name, modelIndex: $0) }
        rescaleFactors = Array(repeating: 1, count: count)
        let n = elementCount
        let sampleDivisor = n >= RankSelection.sampledElementThreshold ? RankSelection.defaultSampleDivisor : 1
        switch sparsification {
        case .magnitude:
            selections = densities.map { density in
                density >= 1
                    ? RankSelection(count: n, elementCount: n)
                    : RankSelection(
                        count: max(1, Int(density * Double(n))), elementCount: n, sampleDivisor: sampleDivisor)
            }
        case .breadcrumbs:
            let gammas = context.perModel("gamma")
            var top: [RankSelection] = []
            var bottom: [RankSelection] = []
            for (density, gamma) in zip(densities, gammas) {
                let kept = Int(density * Double(n))
                let topCut = min(Int(gamma * Double(n)), n - kept)
                top.append(RankSelection(count: topCut, elementCount: n, sampleDivisor: sampleDivisor))
                bottom.append(
                    RankSelection(count: max(0, n - kept - topCut), elementCount: n, sampleDivisor: sampleDivisor))
            }
            selections = top + bottom
        case .none, .random, .della:
            break
        }
        // Every sparsifier, DELLA included, rescales by the L1 ratio over the
        // whole tensor (mergekit 0.1.5, sparsify.py), not by 1/p.
        rescales = sparsification != .none && context.flag("rescale")
        needsRescalePass = rescales && densities.contains { $0 < 1 }
    }

    var needsWholeRows: Bool { sparsification == .della }

    mutating func useSpillFolder(_ folder: String) {
        if sparsification == .della, needsRescalePass {
            keepMasks = KeepMaskSpill(folder: folder, modelCount: weights.count)
        }
    }
    /// Pruning by magnitude (or none) reads its inputs a piece at a time;
    /// the other sparsifiers and the rescale pass decode whole chunks.
    var decodesInPieces: Bool { sparsification == .magnitude || sparsification == .none }

    /// Which histogram or counter each unfinished selection uses this pass.
    /// A sample pass serves only the selections that are sampling.
    private func slots() -> (histograms: [Int?], counters: [Int?], sampleDivisor: Int) {
        var histograms: [Int?] = []
        var counters: [Int?] = []
        var nextHistogram = 0
        var nextCounter = 0
        let sampleDivisor = selections.first(where: \.isSampling)?.sampleDivisor ?? 1
        for selection in selections {
            if selection.isDone || (sampleDivisor > 1 && !selection.isSampling) {
                histograms.append(nil); counters.append(nil)
            } else if selection.needsHistogram {
                histograms.append(nextHistogram); counters.append(nil); nextHistogram += 1
            } else {
                histograms.append(nil); counters.append(nextCounter); nextCounter += 1
            }
        }
        return (histograms, counters, sampleDivisor)
    }

    func nextReduction() -> ReductionRequest? {
        let (histograms, counters, sampleDivisor) = slots()
        let histogramCount = histograms.compactMap { $0 }.count
        let counterCount = counters.compactMap { $0 }.count
        if histogramCount + counterCount > 0 {
            return ReductionRequest(
                histogramCount: histogramCount, counterCount: counterCount, sampleDivisor: sampleDivisor)
        }
        if needsRescalePass { return ReductionRequest(sumCount: 2 * weights.count) }
        return nil
    }

    func reduce(_ chunk: ChunkInput, into sink: ReductionSink) {
        let count = chunk.elementRange.count
        guard chunk.base != nil, count > 0 else { return }
        if selections.contains(where: { !$0.isDone }) {
            let (histograms, counters, _) = slots()
            // Inputs decoded and keys made a piece at a time, so that they
            // and the histogram they count into stay in the core's cache.
            let pieceLength = 16_384
            let capacity = min(count, pieceLength)
            // Selections after a held sample only count and keep, per chunk.
            let kept = selections.map { $0.rangeBounds?.emptyTally() }
            var above = [Int](repeating: 0, count: selections.count)
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: capacity) { keys in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: capacity / 8 + 1) { groups in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * capacity) { scratch in
                        let baseScratch = scratch.baseAddress!, modelScratch = scratch.baseAddress! + capacity  // checked: capacity > 0
                        for start in stride(from: 0, to: count, by: pieceLength) {
                            let piece = start..<min(count, start + pieceLength)
                            let base = UnsafeBufferPointer(
                                start: chunk.values(of: nil, piece, scratch: baseScratch), count: piece.count)
                            for (index, selection) in selections.enumerated()
                            where histograms[index] != nil || counters[index] != nil {
                                let model = index % weights.count
                                let values = UnsafeBufferPointer(
                                    start: chunk.values(of: model, piece, scratch: modelScratch), count: piece.count)
                                if let predicted = selection.rangeBounds, let tally = kept[index] {
                                    above[index] += countAbove(
                                        values.baseAddress!, base.baseAddress!, complement: index >= weights.count,
                                        count: piece.count,  // checked: non-empty piece
                                        predicted: predicted, kept: tally, groups: groups.baseAddress!)  // checked: capacity > 0
                                    continue
                                }
                                magnitudeKeys(
                                    values, base, complement: index >= weights.count, into: keys, count: piece.count)
                                selection.reduce(
                                    UnsafeBufferPointer(rebasing: keys[0..<piece.count]),
                                    histogram: histograms[index].map { sink.histogram($0) },
                                    counter: counters[index].map { sink.counters.baseAddress! + $0 },  // checked: the request made room for this counter
                                    chunkIndex: chunk.chunkIndex)
                            }
                        }
                    }
                }
            }
            for (index, selection) in selections.enumerated() where selection.rangeBounds != nil {
                if let slot = counters[index] { sink.counters[slot] += above[index] }
                if let tally = kept[index] { selection.storeCandidates(tally, chunkIndex: chunk.chunkIndex) }
            }
            return
        }
        let chunk = chunk.decodedWhole()
        guard let base = chunk.base else { return }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, count)) { keep in
            for model in weights.indices {
                keepMultipliers(model, chunk, into: keep)
                keepMasks?.store(
                    chunkIndex: chunk.chunkIndex, model: model,
                    keep: UnsafeBufferPointer(rebasing: keep[0..<count]))
                let values = chunk.models[model].baseAddress!, baseValues = base.baseAddress!  // checked: count > 0
                for (local, block) in chunk.blocks.enumerated() {
                    let start = block.local.lowerBound
                    let (total, kept) = VectorLoops.magnitudeSums(
                        values + start, baseValues + start, keep: keep.baseAddress! + start, block.local.count)  // checked: count > 0
                    sink.setSum(2 * model, localBlock: local, total)
                    sink.setSum(2 * model + 1, localBlock: local, kept)
                }
            }
        }
    }

    mutating func finishReduction(_ totals: ReductionTotals) {
        if selections.contains(where: { !$0.isDone }) {
            let (histograms, counters, _) = slots()
            for index in selections.indices where !selections[index].isDone {
                if let slot = histograms[index] {
                    selections[index].finish(histogram: totals.histogram(slot), chunkCounts: nil)
                } else if let slot = counters[index] {
                    let chunkCount = totals.counterCount == 0 ? 0 : totals.counters.count / totals.counterCount
                    let counts = (0..<chunkCount).map { totals.counters[$0 * totals.counterCount + slot] }
                    selections[index].finish(histogram: nil, chunkCounts: counts)
                }
            }
            return
        }
        for model in weights.indices {
            let total = totals.sums[2 * model], kept = totals.sums[2 * model + 1]
            rescaleFactors[model] = total >= 1e-7 && kept >= 1e-7 ? Float(total / kept) : 1
        }
        needsRescalePass = false
    }

    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        guard chunk.base != nil else { return }
        if let thresholds = thresholds(chunkIndex: chunk.chunkIndex) {
            mergeByThresholds(chunk, thresholds: thresholds, into: output)
            return
        }
        let chunk = chunk.decodedWhole()
        guard let base = chunk.base else { return }
        let count = output.count
        let modelCount = weights.count
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, count * modelCount)) { contributions in
            for model in 0..<modelCount {
                let slice = UnsafeMutableBufferPointer(rebasing: contributions[model * count..<(model + 1) * count])
                if keepMasks?.load(chunkIndex: chunk.chunkIndex, model: model, into: slice) != true {
                    keepMultipliers(model, chunk, into: slice)
                }
                let values = chunk.models[model]
                let scale = weights[model] * rescaleFactors[model]
                for index in 0..<count { slice[index] = slice[index] * scale * (values[index] - base[index]) }
            }
            mix(contributions, base: base, count: count, into: output)
        }
    }

    /// Per model, the magnitude threshold chunk `chunkIndex` prunes by, when
    /// every model's pruning is one (no pruning, or by magnitude in a chunk
    /// without a straddled tie); else nil.
    private func thresholds(chunkIndex: Int) -> [(cutoff: UInt32, inclusive: Bool)]? {
        switch sparsification {
        case .none:
            return weights.map { _ in (0, true) }
        case .magnitude:
            var thresholds: [(cutoff: UInt32, inclusive: Bool)] = []
            for selection in selections {
                guard let threshold = selection.threshold(chunkIndex: chunkIndex) else { return nil }
                thresholds.append(threshold)
            }
            return thresholds
        case .random, .breadcrumbs, .della:
            return nil
        }
    }

    /// The merge of a chunk pruned by thresholds, one block of 1,024
    /// elements at a time: the block's inputs are decoded (when the chunk
    /// is still encoded), every model's pruned, weighted task vector for it
    /// is made in one pass and they are mixed, all while in L1, instead of
    /// decoded inputs, keys, masks and multipliers for the whole chunk
    /// first. Each element gets the same operations in the same order as
    /// the general path, so the bits are the same.
    private func mergeByThresholds(
        _ chunk: ChunkInput, thresholds: [(cutoff: UInt32, inclusive: Bool)],
        into output: UnsafeMutableBufferPointer<Float>
    ) {
        let count = output.count, modelCount = weights.count, blockLength = 1024
        let scales = weights.indices.map { weights[$0] * rescaleFactors[$0] }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: blockLength * (2 * modelCount + 1)) { scratch in
            let contributions = scratch.baseAddress!, inputs = scratch.baseAddress! + blockLength * modelCount  // checked: capacity > 0
            var start = 0
            while start < count {
                let block = start..<min(count, start + blockLength)
                let length = block.count
                let base = chunk.values(of: nil, block, scratch: inputs)
                for model in 0..<modelCount {
                    VectorLoops.keptTask(
                        chunk.values(of: model, block, scratch: inputs + blockLength * (model + 1)), base,
                        cut: thresholds[model].cutoff, includingEqual: thresholds[model].inclusive,
                        scale: scales[model],
                        contributions + model * length, length)
                }
                mix(
                    UnsafeMutableBufferPointer(start: contributions, count: modelCount * length),
                    base: UnsafeBufferPointer(start: base, count: length), count: length,
                    into: UnsafeMutableBufferPointer(rebasing: output[block]))
                start += length
            }
        }
    }
}
