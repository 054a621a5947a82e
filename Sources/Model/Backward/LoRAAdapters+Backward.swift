import Base
import Compute

/// One adapted projection of a layer as a pass sees it: the adapters'
/// names, where the projection reads its input rows and where it writes
/// its output (a column range of a fused product's rows).
struct AdaptedProjection {
    let a: String
    let b: String
    let input: FloatBuffer
    let inputWidth: Int
    let output: FloatBuffer
    let outputColumn: Int
    let outputWidth: Int
    let outputStride: Int

    /// `u = x·Aᵀ` for the rows `rows` of the input (`u`: `rank` floats a row).
    func project(_ rows: Range<Int>, a: UnsafePointer<Float>, rank: Int, into u: FloatBuffer) {
        MatrixProduct.multiply(
            m: rows.count, n: rank, k: inputWidth, a: input.pointer + rows.lowerBound * inputWidth, lda: inputWidth,
            b: a, ldb: inputWidth, transposeB: true, c: u.pointer + rows.lowerBound * rank, ldc: rank)
    }
}

extension TrainingPass {
    /// The layer's seven projections in `LoRAAdapters.modules` order (q, k,
    /// v, o, gate, up, down) over `buffers`; nils without adapters.
    func adaptedProjections(_ layer: Int, _ buffers: LayerActivations) -> [AdaptedProjection?] {
        guard adapters != nil else { return [AdaptedProjection?](repeating: nil, count: 7) }
        let (hidden, inner) = (config.hiddenSize, config.intermediateSize)
        let (queryWidth, keyValueWidth, stride) = (config.queryWidth, config.keyValueWidth, attention.stride)
        let places: [(FloatBuffer, Int, FloatBuffer, Int, Int, Int)] = [
            (buffers.normalized, hidden, buffers.queryKeyValue, 0, queryWidth, stride),
            (buffers.normalized, hidden, buffers.queryKeyValue, queryWidth, keyValueWidth, stride),
            (buffers.normalized, hidden, buffers.queryKeyValue, queryWidth + keyValueWidth, keyValueWidth, stride),
            (buffers.attention, queryWidth, buffers.middle, 0, hidden, hidden),
            (buffers.normalizedMiddle, hidden, buffers.gateUp, 0, inner, 2 * inner),
            (buffers.normalizedMiddle, hidden, buffers.gateUp, inner, inner, 2 * inner),
            (buffers.gated, inner, buffers.output, 0, hidden, hidden),
        ]
        return zip(LoRAAdapters.modules, places).map { module, place in
            let prefix = "model.layers.\(layer).\(module)."
            return AdaptedProjection(
                a: prefix + "lora_A.weight", b: prefix + "lora_B.weight", input: place.0, inputWidth: place.1,
                output: place.2, outputColumn: place.3, outputWidth: place.4, outputStride: place.5)
        }
    }

    /// `y += s·B·(A·x)` over the projection's rows.
    func applyAdapter(_ projection: AdaptedProjection?, rows: Int) throws {
        guard let projection, let adapters else { return }
        let rank = adapters.rank
        let u = try buffer(rows: rows, width: rank)
        // checked: the adapters hold every name `adaptedProjections` gives
        let (aValues, bValues) = (adapters.parameters[projection.a]!, adapters.parameters[projection.b]!)
        try aValues.withUnsafeBufferPointer { aValues in
            try bValues.withUnsafeBufferPointer { bValues in
                // checked: adapters have rank ≥ 1 and their projections' widths
                let (a, b) = (SharedFloats(aValues.baseAddress!), SharedFloats(bValues.baseAddress!))
                let p = projection
                let scale = adapters.scale
                try tiledWork(count: rows, tile: TiledProducts.rowTile, threads: threads) { range in
                    let first = range.lowerBound
                    p.project(range, a: a.base, rank: rank, into: u)
                    MatrixProduct.multiply(
                        m: range.count, n: p.outputWidth, k: rank, alpha: scale, a: u.pointer + first * rank, lda: rank,
                        b: b.base, ldb: rank, transposeB: true, beta: 1,
                        c: p.output.pointer + first * p.outputStride + p.outputColumn, ldc: p.outputStride)
                }
            }
        }
    }

    /// The adapters' part of a projection's backward: given `dY` (rows of
    /// `outputGradient`, the projection's columns), adds `∂A`, `∂B` into
    /// `gradients` and `s·(dY·B)·A` into `inputGradient` (rows of the
    /// projection's input width).
    func adapterBackward(
        _ projection: AdaptedProjection?, rows: Int, outputGradient: FloatBuffer, inputGradient: FloatBuffer,
        gradients: inout [String: [Float]]?
    ) throws {
        guard let projection, let adapters, gradients != nil else { return }
        let rank = adapters.rank
        let scale = adapters.scale
        let p = projection
        let u = try buffer(rows: rows, width: rank)
        let du = try buffer(rows: rows, width: rank)
        let dy = SharedFloats(outputGradient.pointer + p.outputColumn)
        // checked: the adapters hold every name `adaptedProjections` gives; gradients mirror them
        let (aValues, bValues) = (adapters.parameters[p.a]!, adapters.parameters[p.b]!)
        var aGradient = gradients![p.a]!
        var bGradient = gradients![p.b]!
        try aValues.withUnsafeBufferPointer { aValues in
            try bValues.withUnsafeBufferPointer { bValues in
                let (a, b) = (SharedFloats(aValues.baseAddress!), SharedFloats(bValues.baseAddress!))
                try tiledWork(count: rows, tile: TiledProducts.rowTile, threads: threads) { range in
                    let first = range.lowerBound
                    // u = x·Aᵀ; du = s·dY·B
                    p.project(range, a: a.base, rank: rank, into: u)
                    MatrixProduct.multiply(
                        m: range.count, n: rank, k: p.outputWidth, alpha: scale,
                        a: dy.base + first * p.outputStride, lda: p.outputStride, b: b.base, ldb: rank,
                        transposeB: false, c: du.pointer + first * rank, ldc: rank)
                }
                // ∂B += s·dYᵀ·u; ∂A += duᵀ·x: sums over every row, one call each.
                bGradient.withUnsafeMutableBufferPointer { target in
                    MatrixProduct.multiply(
                        m: p.outputWidth, n: rank, k: rows, alpha: scale, transposeA: true, a: dy.base,
                        lda: p.outputStride, b: u.pointer, ldb: rank, transposeB: false, beta: 1,
                        c: target.baseAddress!, ldc: rank)
                }
                aGradient.withUnsafeMutableBufferPointer { target in
                    MatrixProduct.multiply(
                        m: rank, n: p.inputWidth, k: rows, transposeA: true, a: du.pointer, lda: rank,
                        b: p.input.pointer, ldb: p.inputWidth, transposeB: false, beta: 1, c: target.baseAddress!,
                        ldc: p.inputWidth)
                }
                // dx += du·A
                let dx = SharedFloats(inputGradient.pointer)
                try tiledWork(count: rows, tile: TiledProducts.rowTile, threads: threads) { range in
                    let first = range.lowerBound
                    MatrixProduct.multiply(
                        m: range.count, n: p.inputWidth, k: rank, a: du.pointer + first * rank, lda: rank, b: a.base,
                        ldb: p.inputWidth, transposeB: false, beta: 1, c: dx.base + first * p.inputWidth,
                        ldc: p.inputWidth)
                }
            }
        }
        gradients![p.a] = aGradient
        gradients![p.b] = bGradient
    }
}
