import Base

/// One layer's intermediate results over a batch's flat rows, kept between
/// its recomputed forward and its backward (activation checkpointing by
/// layer: only each layer's `input` survives the first forward pass).
struct LayerActivations {
    let input: FloatBuffer
    /// `RMSNorm(input)`.
    let normalized: FloatBuffer
    /// Rows of `[q | k | v]`, q and k rotated.
    let queryKeyValue: FloatBuffer
    let attention: FloatBuffer
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
}

extension LayerWeights {
    /// Where `role`'s tensor (or its gradient) is written.
    func mutable(_ role: WeightRole) -> UnsafeMutablePointer<Float>? {
        offsets[role.rawValue].map { storage.pointer + $0 }
    }
}

extension TrainableModel {
    /// Copies layer `layer`'s parameters into one `LayerWeights`, laid out
    /// as the forward pass lays them (q, k, v next to each other; gate and up).
    func layerWeights(_ layer: Int, budget: ByteBudget) throws -> LayerWeights {
        let tensors = architecture.layerTensors(layer)
        let weights = try LayerWeights(tensors: tensors, budget: budget)
        for tensor in tensors {
            // checked: init keeps every tensor the architecture lists, with its element count
            let values = parameters[tensor.name]!
            let destination = weights.destination(tensor.role, count: values.count)
            _ = destination.initialize(from: values)
        }
        return weights
    }

    /// `RMSNorm → q, k, v (+ biases) → rope → attention → o → residual →
    /// RMSNorm → SwiGLU → residual` (transformers' `LlamaDecoderLayer`),
    /// keeping every intermediate result.
    func forward(
        layer: Int, input: FloatBuffer, batch: TrainingBatch, weights: LayerWeights, budget: ByteBudget
    ) throws -> LayerActivations {
        let rows = batch.rowCount
        let hidden = config.hiddenSize
        let inner = config.intermediateSize
        let attention = self.attention
        let buffer = { (width: Int) throws in try FloatBuffer(count: rows * width, budget: budget, purpose: "training")
        }
        let activations = LayerActivations(
            input: input, normalized: try buffer(hidden), queryKeyValue: try buffer(attention.stride),
            attention: try buffer(config.queryWidth), middle: try buffer(hidden), normalizedMiddle: try buffer(hidden),
            gateUp: try buffer(2 * inner), gated: try buffer(inner), output: try buffer(hidden))
        let epsilon = config.rmsNormEpsilon
        Kernels.rmsNorm(
            input.pointer, activations.normalized.pointer, rows: rows, width: hidden, stride: hidden,
            weight: weights[.inputNorm], epsilon: epsilon, weightOffset: 0)
        Kernels.linear(
            activations.normalized.pointer, rows: rows, inputWidth: hidden, inputStride: hidden,
            weight: weights[.query], outputWidth: attention.stride, bias: weights.optional(.queryBias),
            activations.queryKeyValue.pointer, outputStride: attention.stride)
        try rotate(activations.queryKeyValue, batch: batch, inverse: false, budget: budget)
        let scratch = try FloatBuffer(count: longest(batch) * longest(batch), budget: budget, purpose: "attention")
        for (record, offset) in batch.offsets.enumerated() {
            attention.forward(
                activations.queryKeyValue.pointer + offset * attention.stride, count: batch.records[record].ids.count,
                output: activations.attention.pointer + offset * config.queryWidth, scratch: scratch.pointer)
        }
        activations.middle.pointer.update(from: input.pointer, count: rows * hidden)
        Kernels.linear(
            activations.attention.pointer, rows: rows, inputWidth: config.queryWidth, inputStride: config.queryWidth,
            weight: weights[.output], outputWidth: hidden, bias: nil, activations.middle.pointer, outputStride: hidden,
            accumulating: true)
        Kernels.rmsNorm(
            activations.middle.pointer, activations.normalizedMiddle.pointer, rows: rows, width: hidden,
            stride: hidden, weight: weights[.postAttentionNorm], epsilon: epsilon, weightOffset: 0)
        Kernels.linear(
            activations.normalizedMiddle.pointer, rows: rows, inputWidth: hidden, inputStride: hidden,
            weight: weights[.gate], outputWidth: 2 * inner, bias: nil, activations.gateUp.pointer,
            outputStride: 2 * inner)
        for row in 0..<rows {
            let gated = activations.gated.pointer + row * inner
            let gate = activations.gateUp.pointer + row * 2 * inner
            gated.update(from: gate, count: inner)
            Kernels.gatedActivation(gated, gate + inner, count: inner, activation: .silu)
        }
        activations.output.pointer.update(from: activations.middle.pointer, count: rows * hidden)
        Kernels.linear(
            activations.gated.pointer, rows: rows, inputWidth: inner, inputStride: inner, weight: weights[.down],
            outputWidth: hidden, bias: nil, activations.output.pointer, outputStride: hidden, accumulating: true)
        return activations
    }

    var attention: CausalAttention {
        CausalAttention(
            headCount: config.headCount, keyValueHeadCount: config.keyValueHeadCount,
            headDimension: config.headDimension, scale: config.attentionScale)
    }

    func longest(_ batch: TrainingBatch) -> Int { batch.records.map(\.ids.count).max() ?? 0 }

    /// Rotates the q and k heads of `[q | k | v]` rows to their positions,
    /// or back (`inverse`: the rotation's transpose, which carries a
    /// gradient through it).
    func rotate(_ rows: FloatBuffer, batch: TrainingBatch, inverse: Bool, budget: ByteBudget) throws {
        let positions = inverse ? batch.positions.map { -$0 } : batch.positions
        let frequencies = config.globalRope.inverseFrequencies(headDimension: config.headDimension)
        let cosSin = try FloatBuffer(count: config.headDimension, budget: budget, purpose: "rope")
        positions.withUnsafeBufferPointer { positions in
            frequencies.withUnsafeBufferPointer { frequencies in
                // checked: a batch has rows and a head has at least two features
                Kernels.rope(
                    rows.pointer, rows: batch.rowCount, stride: attention.stride,
                    headCount: config.headCount + config.keyValueHeadCount, headDimension: config.headDimension,
                    positions: positions.baseAddress!, inverseFrequencies: frequencies.baseAddress!,
                    cosSin: cosSin.pointer)
            }
        }
    }
}
