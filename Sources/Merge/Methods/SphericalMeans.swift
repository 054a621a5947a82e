import Base
import Compute
import Foundation

/// `multislerp`: barycentric interpolation on the hypersphere of the
/// flattened tensors (task vectors when a base is given), scaled by the
/// weighted mean norm (REFERENCE.md, "Methods").
struct MultiSlerpMethod: MergeMethod {
    let name = "multislerp"
    let baseModelUse = BaseModelUse.optional
    let parameters = [
        ParameterDefinition("weight", .perModel, default: nil),
        ParameterDefinition("normalize_weights", .global, default: 1, singleValue: true),
        // Added to every norm divided by (mergekit: "for numerical stability"): at 0, a task
        // vector a fine-tune left unchanged would be divided by zero.
        ParameterDefinition("eps", .global, default: 1e-8, bounds: .positive),
    ]

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        GramCombinationKernel(
            modelCount: context.modelCount,
            combine: .multislerp(
                weights: context.perModel("weight"), normalizesWeights: context.flag("normalize_weights"),
                epsilon: context.global("eps")))
    }
}

/// `karcher`: the iterative spherical (Karcher) mean of the models' unit
/// vectors with equal weights, scaled by the mean norm.
struct KarcherMethod: MergeMethod {
    let name = "karcher"
    let baseModelUse = BaseModelUse.ignored
    let parameters = [
        // A count of iterations and a tolerance on the step: neither is negative.
        ParameterDefinition("max_iter", .global, default: 10, singleValue: true, bounds: .nonNegative),
        ParameterDefinition("tol", .global, default: 1e-5, bounds: .nonNegative),
    ]

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        GramCombinationKernel(
            modelCount: context.modelCount,
            combine: .karcher(
                maxIterations: Int(max(0, min(context.global("max_iter"), 10_000))), tolerance: context.global("tol")))
    }
}

/// Methods whose result is a linear combination Σ cᵢ vᵢ of the input
/// vectors (vᵢ = xᵢ, or xᵢ − b with a base) with coefficients that depend
/// only on their Gram matrix vᵢ·vⱼ. One reduction pass measures the Gram
/// matrix; the coefficients follow in Float64; the final pass is
/// elementwise. Nothing of tensor size is ever held beyond a chunk, where
/// mergekit iterates on whole tensors.
struct GramCombinationKernel: TensorKernel {
    enum Combination: Sendable {
        case multislerp(weights: [Double], normalizesWeights: Bool, epsilon: Double)
        case karcher(maxIterations: Int, tolerance: Double)
    }

    let modelCount: Int
    let combine: Combination
    var coefficients: [Float]?

    init(modelCount: Int, combine: Combination) {
        self.modelCount = modelCount
        self.combine = combine
        if modelCount == 1 { coefficients = [1] }
    }

    var pairs: [(Int, Int)] {
        var result: [(Int, Int)] = []
        for i in 0..<modelCount { for j in i..<modelCount { result.append((i, j)) } }
        return result
    }

    func nextReduction() -> ReductionRequest? { coefficients == nil ? ReductionRequest(sumCount: pairs.count) : nil }

    func reduce(_ chunk: ChunkInput, into sink: ReductionSink) {
        for (quantity, (i, j)) in pairs.enumerated() {
            for (local, block) in chunk.blocks.enumerated() {
                sink.setSum(
                    quantity, localBlock: local,
                    BlockMath.dot(chunk.models[i], chunk.models[j], minus: chunk.base, block.local))
            }
        }
    }

    mutating func finishReduction(_ totals: ReductionTotals) {
        var gram = [[Double]](repeating: [Double](repeating: 0, count: modelCount), count: modelCount)
        for (quantity, (i, j)) in pairs.enumerated() {
            gram[i][j] = totals.sums[quantity]; gram[j][i] = totals.sums[quantity]
        }
        switch combine {
        case .multislerp(let weights, let normalizes, let epsilon):
            coefficients = SphericalMath.multislerp(
                gram: gram, weights: weights, normalizesWeights: normalizes, epsilon: epsilon
            ).map { Float($0) }
        case .karcher(let maxIterations, let tolerance):
            coefficients = SphericalMath.karcher(gram: gram, maxIterations: maxIterations, tolerance: tolerance).map {
                Float($0)
            }
        }
    }

    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        let weights = coefficients ?? []
        if modelCount == 1 {
            // mergekit returns a lone model as it is, not base + (x − base).
            for index in output.indices { output[index] = chunk.models[0][index] }
        } else if let base = chunk.base {
            for index in output.indices { output[index] = base[index] }
            for (model, weight) in zip(chunk.models, weights) {
                for index in output.indices { output[index] += weight * (model[index] - base[index]) }
            }
        } else {
            output.update(repeating: 0)
            for (model, weight) in zip(chunk.models, weights) {
                for index in output.indices { output[index] += weight * model[index] }
            }
        }
    }
}
