import Base
import Compute
/// `model_stock`: from the mean pairwise cosine of the task vectors,
/// t = N·cos / (1 + (N − 1)·cos), then t·mean(xᵢ) + (1 − t)·b; the cosine
/// over the whole tensor, or per row with `filter_wise` (REFERENCE.md).
struct ModelStockMethod: MergeMethod {
    // Reductions here are Float64 block sums; merging is elementwise.
    var workingMemory: WorkingMemory { .elementwise }
    let name = "model_stock"
    let baseModelUse = BaseModelUse.required
    let parameters = [ParameterDefinition("filter_wise", .global, default: 0, singleValue: true)]

    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        hasBase && modelCount >= 2 ? nil : "needs a base_model and at least two other models"
    }

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        ModelStockKernel(
            modelCount: context.modelCount, isRowWise: context.flag("filter_wise") && context.shape.count > 1,
            rowLength: context.rowLength)
    }
}

struct ModelStockKernel: TensorKernel {
    let modelCount: Int
    let isRowWise: Bool
    let rowLength: Int
    /// The interpolation weight t of the whole tensor, once measured.
    var wholeTensorT: Float?

    var needsWholeRows: Bool { isRowWise }

    /// Pairs (i, j), i < j, then the squared norms (i, i).
    private var pairs: [(Int, Int)] {
        var result: [(Int, Int)] = []
        for i in 0..<modelCount { for j in (i + 1)..<modelCount { result.append((i, j)) } }
        return result + (0..<modelCount).map { ($0, $0) }
    }

    func nextReduction() -> ReductionRequest? {
        isRowWise || wholeTensorT != nil ? nil : ReductionRequest(sumCount: pairs.count)
    }

    func reduce(_ chunk: ChunkInput, into sink: ReductionSink) {
        guard let base = chunk.base else { return }
        for (quantity, (i, j)) in pairs.enumerated() {
            for (local, block) in chunk.blocks.enumerated() {
                sink.setSum(
                    quantity, localBlock: local,
                    BlockMath.dot(chunk.models[i], chunk.models[j], minus: base, block.local))
            }
        }
    }

    mutating func finishReduction(_ totals: ReductionTotals) {
        wholeTensorT = interpolationWeight(totals.sums)
    }

    /// t from the pair dot products and squared norms, in `pairs` order:
    /// each cosine over a norm product clamped to at least 1e-6 and then to
    /// [−1, 1]; t = 0 where 1 + (N − 1)·cos is within 1e-6 of zero (mergekit
    /// keeps the base there).
    func interpolationWeight(_ sums: [Double]) -> Float {
        let pairCount = modelCount * (modelCount - 1) / 2
        var cosineTotal = 0.0
        for (quantity, (i, j)) in pairs.prefix(pairCount).enumerated() {
            let norms = max(sums[pairCount + i].squareRoot() * sums[pairCount + j].squareRoot(), 1e-6)
            cosineTotal += min(1, max(-1, sums[quantity] / norms))
        }
        let cosine = pairCount > 0 ? cosineTotal / Double(pairCount) : 0
        let n = Double(modelCount)
        let divisor = 1 + (n - 1) * cosine
        return Float(abs(divisor) < 1e-6 ? 0 : n * cosine / divisor)
    }

    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        guard let base = chunk.base else { return }
        let count = output.count
        var start = 0
        while start < count {
            let range = isRowWise ? start..<min(count, start + rowLength) : start..<count
            let t: Float
            if let wholeTensorT {
                t = wholeTensorT
            } else {
                t = interpolationWeight(
                    pairs.map { BlockMath.dot(chunk.models[$0.0], chunk.models[$0.1], minus: base, range) })
            }
            let scale = t / Float(modelCount)
            for index in range {
                var sum: Float = 0
                for model in chunk.models { sum += model[index] }
                output[index] = scale * sum + (1 - t) * base[index]
            }
            start = range.upperBound
        }
    }
}
