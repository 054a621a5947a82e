import Base
import Compute

/// One layer's intermediate results over a batch's flat rows, kept between
/// its forward and its backward (or recomputed from `input` for it).
struct LayerActivations {
    let input: FloatBuffer
    /// `RMSNorm(input)`.
    let normalized: FloatBuffer
    /// Rows of `[q | k | v]`, q and k rotated.
    let queryKeyValue: FloatBuffer
    let attention: FloatBuffer
    /// Per row and head, the log-sum-exp of the attention scores.
    let logSumExps: FloatBuffer
    /// `input + o(attention)`.
    let middle: FloatBuffer
    /// `RMSNorm(middle)`.
    let normalizedMiddle: FloatBuffer
    /// Rows of `[gate | up]` before the activation.
    let gateUp: FloatBuffer
    /// `silu(gate) · up`.
    let gated: FloatBuffer
    /// `middle + down(gated)`: the next layer's input.
    let output: FloatBuffer

    /// Floats a row takes in every buffer but `input`.
    static func width(_ config: ModelConfig) -> Int {
        let attention = config.queryWidth + 2 * config.keyValueWidth
        return 4 * config.hiddenSize + attention + config.queryWidth + config.headCount + 3 * config.intermediateSize
    }
}

extension LayerWeights {
    /// Where `role`'s tensor (or its gradient) is written.
    func mutable(_ role: WeightRole) -> UnsafeMutablePointer<Float>? {
        offsets[role.rawValue].map { storage.pointer + $0 }
    }
}

extension TrainingPass {
    var attention: CausalAttention {
        CausalAttention(
            headCount: config.headCount, keyValueHeadCount: config.keyValueHeadCount,
            headDimension: config.headDimension, scale: config.attentionScale)
    }

    func longest(_ batch: TrainingBatch) -> Int { batch.records.map(\.ids.count).max() ?? 0 }

    /// `RMSNorm → q, k, v (+ biases) → rope → attention → o → residual →
    /// RMSNorm → SwiGLU → residual` (transformers' `LlamaDecoderLayer`),
    /// with the layer's LoRA adapters added to its projections, keeping
    /// every intermediate result.
    func forward(
        layer: Int, input: FloatBuffer, batch: TrainingBatch, weights: LayerWeights
    ) throws -> LayerActivations {
        let rows = batch.rowCount
        let hidden = config.hiddenSize
        let inner = config.intermediateSize
        let attention = self.attention
        // Every step below writes all of its output before anything reads it.
        let written = { (width: Int) throws in try self.buffer(rows: rows, width: width, zeroed: false) }
        let a = LayerActivations(
            input: input, normalized: try written(hidden), queryKeyValue: try written(attention.stride),
            attention: try written(config.queryWidth), logSumExps: try written(config.headCount),
            middle: try written(hidden),
            normalizedMiddle: try written(hidden), gateUp: try written(2 * inner), gated: try written(inner),
            output: try written(hidden))
        let projections = adaptedProjections(layer, a)
        try rmsNorm(input, a.normalized, rows: rows, weight: weights[.inputNorm])
        try products.linear(
            a.normalized.pointer, rows: rows, inputWidth: hidden, inputStride: hidden, weight: weights[.query],
            outputWidth: attention.stride, bias: weights.optional(.queryBias), a.queryKeyValue.pointer,
            outputStride: attention.stride)
        for projection in projections[0..<3] { try applyAdapter(projection, rows: rows) }
        try rotate(a.queryKeyValue, batch: batch, inverse: false)
        let scratch = try (0..<min(threads, config.headCount * batch.records.count)).map { _ in
            try buffer(rows: 1, width: attention.forwardScratchCount)
        }
        let units = batch.records.indices.flatMap { record in (0..<config.headCount).map { (record, $0) } }
        try parallelWork(count: units.count, threads: threads) { index, worker in
            let (record, head) = units[index]
            let offset = batch.offsets[record]
            attention.forward(
                a.queryKeyValue.pointer + offset * attention.stride, count: batch.records[record].ids.count,
                head: head, output: a.attention.pointer + offset * config.queryWidth,
                logSumExps: a.logSumExps.pointer + offset * config.headCount, scratch: scratch[worker].pointer)
        }
        a.middle.pointer.update(from: input.pointer, count: rows * hidden)
        try products.linear(
            a.attention.pointer, rows: rows, inputWidth: config.queryWidth, inputStride: config.queryWidth,
            weight: weights[.output], outputWidth: hidden, bias: nil, a.middle.pointer, outputStride: hidden,
            accumulating: true)
        try applyAdapter(projections[3], rows: rows)
        try rmsNorm(a.middle, a.normalizedMiddle, rows: rows, weight: weights[.postAttentionNorm])
        try products.linear(
            a.normalizedMiddle.pointer, rows: rows, inputWidth: hidden, inputStride: hidden, weight: weights[.gate],
            outputWidth: 2 * inner, bias: nil, a.gateUp.pointer, outputStride: 2 * inner)
        for projection in projections[4..<6] { try applyAdapter(projection, rows: rows) }
        try tiledWork(count: rows, tile: TiledProducts.rowTile, threads: threads) { range in
            for row in range {
                let gated = a.gated.pointer + row * inner
                let gate = a.gateUp.pointer + row * 2 * inner
                gated.update(from: gate, count: inner)
                VectorExponential.siluGate(gated, gate + inner, count: inner)
            }
        }
        a.output.pointer.update(from: a.middle.pointer, count: rows * hidden)
        try products.linear(
            a.gated.pointer, rows: rows, inputWidth: inner, inputStride: inner, weight: weights[.down],
            outputWidth: hidden, bias: nil, a.output.pointer, outputStride: hidden, accumulating: true)
        try applyAdapter(projections[6], rows: rows)
        return a
    }

    /// `RMSNorm(input)` into `output`, a tile of rows per work unit.
    func rmsNorm(_ input: FloatBuffer, _ output: FloatBuffer, rows: Int, weight: UnsafePointer<Float>) throws {
        let hidden = config.hiddenSize
        let epsilon = config.rmsNormEpsilon
        let w = SharedFloats(weight)
        try tiledWork(count: rows, tile: TiledProducts.rowTile, threads: threads) { range in
            Kernels.rmsNorm(
                input.pointer + range.lowerBound * hidden, output.pointer + range.lowerBound * hidden,
                rows: range.count, width: hidden, stride: hidden, weight: w.base, epsilon: epsilon, weightOffset: 0)
        }
    }

    /// Rotates the q and k heads of `[q | k | v]` rows to their positions,
    /// or back (`inverse`: the rotation's transpose, which carries a
    /// gradient through it).
    func rotate(_ rows: FloatBuffer, batch: TrainingBatch, inverse: Bool) throws {
        let positions = inverse ? batch.positions.map { -$0 } : batch.positions
        let frequencies = config.globalRope.inverseFrequencies(headDimension: config.headDimension)
        let (stride, heads, dimension) = (
            attention.stride, config.headCount + config.keyValueHeadCount,
            config.headDimension
        )
        try tiledWork(count: batch.rowCount, tile: TiledProducts.rowTile, threads: threads) { range in
            var cosSin = [Float](repeating: 0, count: dimension)
            positions.withUnsafeBufferPointer { positions in
                frequencies.withUnsafeBufferPointer { frequencies in
                    cosSin.withUnsafeMutableBufferPointer { cosSin in
                        // checked: a batch has rows and a head has at least two features
                        Kernels.rope(
                            rows.pointer + range.lowerBound * stride, rows: range.count, stride: stride,
                            headCount: heads, headDimension: dimension,
                            positions: positions.baseAddress! + range.lowerBound,
                            inverseFrequencies: frequencies.baseAddress!, cosSin: cosSin.baseAddress!)
                    }
                }
            }
        }
    }
}
