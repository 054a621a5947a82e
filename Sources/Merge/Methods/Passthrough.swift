import Base
/// `passthrough`: the one input of each tensor, optionally times `scale`;
/// with slices it stacks layers into deeper models.
struct PassthroughMethod: MergeMethod {
    // Reductions here are Float64 block sums; merging is elementwise.
    var workingMemory: WorkingMemory { .elementwise }
    let name = "passthrough"
    let baseModelUse = BaseModelUse.ignored
    let parameters = [ParameterDefinition("scale", .perModel, default: 1)]

    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        modelCount == 1 ? nil : "takes exactly one model per slice, got \(modelCount)"
    }

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        PassthroughKernel(scale: Float(context.perModel("scale").first ?? 1))
    }
}

struct PassthroughKernel: TensorKernel {
    let scale: Float

    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        let input = chunk.models[0]
        if scale == 1 {
            for index in output.indices { output[index] = input[index] }
        } else {
            for index in output.indices { output[index] = input[index] * scale }
        }
    }
}
