import Base
import Compute
import Foundation

/// `nuslerp`: slerp of two models (of their task vectors, added back to the
/// base, when a base is given) with t = w₂/(w₁ + w₂); over the flattened
/// tensor (`nuslerp_flatten`, the default), else per row of the last
/// dimension, or with `nuslerp_row_wise` per vector along the first.
struct NuSlerpMethod: MergeMethod {
    let name = "nuslerp"
    let baseModelUse = BaseModelUse.optional
    let parameters = [
        ParameterDefinition("weight", .perModel, default: nil),
        ParameterDefinition("nuslerp_flatten", .global, default: 1, singleValue: true),
        ParameterDefinition("nuslerp_row_wise", .global, default: 0, singleValue: true),
    ]

    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        modelCount == 2 ? nil : "takes exactly two models besides the base_model, got \(modelCount)"
    }

    /// mergekit's t = w₂/(w₁ + w₂), 0.5 when the weights cancel out.
    static func t(weights: [Double]) -> Double {
        let total = weights.reduce(0, +)
        return abs(total) < 1e-6 ? 0.5 : weights[1] / total
    }

    /// Weights of opposite signs extrapolate, as in mergekit, but t must
    /// stay a Float32 number: the coefficients are.
    func checkParameters(_ context: TensorContext) -> ParameterProblem? {
        let weights = context.perModel("weight")
        guard weights.count == 2, !Float(Self.t(weights: weights)).isFinite else { return nil }
        return ParameterProblem(
            parameter: "weight", modelIndex: 1,
            problem: "t = w2/(w1 + w2) = \(Self.t(weights: weights)) is not finite in Float32")
    }

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        let t = Self.t(weights: context.perModel("weight"))
        let mode: NuSlerpKernel.Mode
        if context.flag("nuslerp_flatten") || context.shape.count < 2 {
            mode = .flattened
        } else {
            mode = context.flag("nuslerp_row_wise") ? .columns : .rows
        }
        return NuSlerpKernel(t: t, mode: mode, rowLength: context.rowLength, elementCount: context.elementCount)
    }
}

struct NuSlerpKernel: TensorKernel {
    enum Mode: Sendable { case flattened, rows, columns }
    let t: Double
    let mode: Mode
    let rowLength: Int
    let elementCount: Int
    /// Flattened: one (c0, c1); columns: one per column.
    var coefficients: [(Float, Float)]?

    var needsWholeRows: Bool { mode != .flattened }

    func nextReduction() -> ReductionRequest? {
        switch mode {
        case .rows: nil
        case .flattened: coefficients == nil ? ReductionRequest(sumCount: 3) : nil
        case .columns: coefficients == nil ? ReductionRequest(sumCount: 3 * rowLength) : nil
        }
    }

    /// Columns: per column, sums over the rows of each reduction block; a
    /// block holds whole rows when the row length divides the block, else
    /// the sums of the rows that start in it.
    func reduce(_ chunk: ChunkInput, into sink: ReductionSink) {
        let v0 = chunk.models[0], v1 = chunk.models[1], base = chunk.base
        if mode == .flattened {
            for (local, block) in chunk.blocks.enumerated() {
                sink.setSum(0, localBlock: local, BlockMath.dot(v0, v1, minus: base, block.local))
                sink.setSum(1, localBlock: local, BlockMath.dot(v0, v0, minus: base, block.local))
                sink.setSum(2, localBlock: local, BlockMath.dot(v1, v1, minus: base, block.local))
            }
            return
        }
        var sums = [Double](repeating: 0, count: 3 * rowLength)
        for (local, block) in chunk.blocks.enumerated() {
            for index in sums.indices { sums[index] = 0 }
            var rowStart = (block.local.lowerBound + rowLength - 1) / rowLength * rowLength
            while rowStart < block.local.upperBound, rowStart + rowLength <= chunk.elementRange.count {
                for column in 0..<rowLength {
                    let index = rowStart + column
                    let a = Double(v0[index] - (base?[index] ?? 0)), b = Double(v1[index] - (base?[index] ?? 0))
                    sums[column] += a * b
                    sums[rowLength + column] += a * a
                    sums[2 * rowLength + column] += b * b
                }
                rowStart += rowLength
            }
            for (quantity, value) in sums.enumerated() { sink.setSum(quantity, localBlock: local, value) }
        }
    }

    mutating func finishReduction(_ totals: ReductionTotals) {
        let quantities = mode == .flattened ? 1 : rowLength
        coefficients = (0..<quantities).map { column in
            Self.coefficients(
                t: t, dot: totals.sums[column], squared0: totals.sums[quantities + column],
                squared1: totals.sums[2 * quantities + column])
        }
    }

    /// mergekit's nuslerp: unit vectors with norms clamped to 1e-7, cos
    /// clamped to [−1, 1], linear interpolation when 1 − cos² ≤ 1e-16.
    static func coefficients(t: Double, dot: Double, squared0: Double, squared1: Double) -> (Float, Float) {
        let cosine = min(1, max(-1, dot / (max(squared0.squareRoot(), 1e-7) * max(squared1.squareRoot(), 1e-7))))
        if 1 - cosine * cosine <= 1e-16 { return (Float(1 - t), Float(t)) }
        let theta = acos(cosine)
        return (Float(sin((1 - t) * theta) / sin(theta)), Float(sin(t * theta) / sin(theta)))
    }

    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>) {
        let v0 = chunk.models[0], v1 = chunk.models[1], base = chunk.base
        var rowStart = 0
        while rowStart < output.count {
            let length = mode == .flattened ? output.count : min(rowLength, output.count - rowStart)
            var rowCoefficients: (Float, Float) = (0, 0)
            if mode == .rows {
                let range = rowStart..<rowStart + length
                rowCoefficients = Self.coefficients(
                    t: t, dot: BlockMath.dot(v0, v1, minus: base, range),
                    squared0: BlockMath.dot(v0, v0, minus: base, range),
                    squared1: BlockMath.dot(v1, v1, minus: base, range))
            } else if mode == .flattened {
                rowCoefficients = coefficients?[0] ?? (1, 0)
            }
            for offset in 0..<length {
                let index = rowStart + offset
                let (c0, c1) = mode == .columns ? (coefficients?[offset] ?? (1, 0)) : rowCoefficients
                let anchor = base?[index] ?? 0
                output[index] = anchor + (c0 * (v0[index] - anchor) + c1 * (v1[index] - anchor))
            }
            rowStart += length
        }
    }
}
