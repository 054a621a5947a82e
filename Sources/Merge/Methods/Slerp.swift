import Base
import Compute
import Foundation

/// `slerp`: spherical interpolation between the base (t = 0) and exactly
/// one other model, on each tensor flattened to one vector; nearly
/// parallel vectors are interpolated linearly (REFERENCE.md, "Methods").
struct SlerpMethod: MergeMethod {
    // Reductions here are Float64 block sums; merging is elementwise.
    var workingMemory: WorkingMemory { .elementwise }
    let name = "slerp"
    let baseModelUse = BaseModelUse.required
    // mergekit's slerp takes t "between 0.0 and 1.0" (slerp.py); outside it extrapolates.
    let parameters = [ParameterDefinition("t", .global, default: nil, bounds: .unitInterval)]

    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        modelCount == 1 && hasBase
            ? nil : "takes exactly two models, the base_model and one other; got \(modelCount + (hasBase ? 1 : 0))"
    }

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        SlerpKernel(t: context.global("t"))
    }
}

/// Slerp from the base (v0) to the other model (v1), both flattened, from
/// their dot product and norms measured in one pass.
struct SlerpKernel: TensorKernel {
    let t: Double
    var coefficients: (Float, Float)?

    init(t: Double) { self.t = t }

    func nextReduction() -> ReductionRequest? { coefficients == nil ? ReductionRequest(sumCount: 3) : nil }

    func reduce(_ chunk: ChunkInput, into sink: ReductionSink) {
        guard let v0 = chunk.base else { return }
        let v1 = chunk.models[0]
        for (local, block) in chunk.blocks.enumerated() {
            sink.setSum(0, localBlock: local, BlockMath.dot(v0, v1, block.local))
            sink.setSum(1, localBlock: local, BlockMath.dot(v0, v0, block.local))
            sink.setSum(2, localBlock: local, BlockMath.dot(v1, v1, block.local))
        }
    }

    mutating func finishReduction(_ totals: ReductionTotals) {
        coefficients = slerpCoefficients(
            t: t, dot: totals.sums[0], squaredNorm0: totals.sums[1], squaredNorm1: totals.sums[2])
    }

    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        guard let v0 = chunk.base else { return }
        let v1 = chunk.models[0]
        let (c0, c1) = coefficients ?? (1, 0)
        for index in output.indices { output[index] = c0 * v0[index] + c1 * v1[index] }
    }
}

/// The weights of v0 and v1 in slerp(v0, v1; t): sin((1−t)θ)/sin θ and
/// sin(tθ)/sin θ, or 1−t and t when |cos θ| > 0.9995. Norms at or below
/// 1e-8 are not divided by (as mergekit leaves such vectors unnormalised).
func slerpCoefficients(t: Double, dot: Double, squaredNorm0: Double, squaredNorm1: Double) -> (Float, Float) {
    let norm0 = squaredNorm0.squareRoot(), norm1 = squaredNorm1.squareRoot()
    let cosine = dot / ((norm0 > 1e-8 ? norm0 : 1) * (norm1 > 1e-8 ? norm1 : 1))
    if abs(cosine) > 0.9995 || !cosine.isFinite { return (Float(1 - t), Float(t)) }
    let theta = acos(cosine)
    let sine = sin(theta)
    return (Float(sin((1 - t) * theta) / sine), Float(sin(t * theta) / sine))
}
