import Base
/// `nearswap`: w = clamp(t / max(|b − x|, 1e-6), 0, 1), then w·x + (1 − w)·b:
/// elements already close to the base move toward the other model.
struct NearSwapMethod: MergeMethod {
    // Reductions here are Float64 block sums; merging is elementwise.
    var workingMemory: WorkingMemory { .elementwise }
    let name = "nearswap"
    let baseModelUse = BaseModelUse.required
    // t is a distance threshold; mergekit's nearswap refuses t ≤ 0 ("Threshold cannot be <= zero").
    let parameters = [ParameterDefinition("t", .global, default: nil, bounds: .positive)]

    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        modelCount == 1 && hasBase ? nil : "needs the base model and exactly one other model"
    }

    func makeKernel(_ context: TensorContext) -> any TensorKernel { NearSwapKernel(t: Float(context.global("t"))) }
}

struct NearSwapKernel: TensorKernel {
    let t: Float

    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        guard let base = chunk.base else { return }
        let other = chunk.models[0]
        for index in output.indices {
            let distance = max(abs(base[index] - other[index]), 1e-6)
            let weight = min(max(t / distance, 0), 1)
            output[index] = weight * other[index] + (1 - weight) * base[index]
        }
    }
}
