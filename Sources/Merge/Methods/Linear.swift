import Base
import CKernels

/// `linear`: Σ wᵢ xᵢ / Σ wᵢ, the division only with `normalize`
/// (REFERENCE.md, "Methods").
struct LinearMethod: MergeMethod {
    // Reductions here are Float64 block sums; merging is elementwise.
    var workingMemory: WorkingMemory { .elementwise }
    let name = "linear"
    let baseModelUse = BaseModelUse.ignored
    let parameters = [
        ParameterDefinition("weight", .perModel, default: nil),
        ParameterDefinition("normalize", .global, default: 1, singleValue: true),
    ]

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        let weights = context.perModel("weight").map { Float($0) }
        var divisor: Float = 1
        if context.flag("normalize") {
            let total = weights.reduce(0, +)
            divisor = abs(total) < 1e-8 ? 1 : total
        }
        return LinearKernel(weights: weights, divisor: divisor)
    }
}

struct LinearKernel: TensorKernel {
    let weights: [Float]
    let divisor: Float

    /// Accumulates Σ wᵢxᵢ block by block (so the block stays in the L1
    /// cache across models), each step as one rounding of the exact
    /// acc + w·x, as torch's fused addcmul_ does: the product of two Float32s
    /// is exact in Float64, and Float64 rounds the sum so finely that the
    /// one rounding to Float32 after it equals a fused multiply-add's.
    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        let blockLength = 2048
        var start = 0
        while start < output.count {
            let end = min(output.count, start + blockLength)
            for index in start..<end { output[index] = 0 }
            for (model, weight) in zip(chunk.models, weights) {
                // output[i] = Float(Double(output[i]) + Double(weight) · Double(model[i]))
                smelt_accumulate_weighted(output.baseAddress! + start, model.baseAddress! + start, Double(weight), end - start)  // checked: start < output.count, and models are as long
            }
            if divisor != 1 { for index in start..<end { output[index] /= divisor } }
            start = end
        }
    }
}
