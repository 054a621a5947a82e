import Base
import Compute

extension TrainingPass {
    /// Back-propagates `outputGradient` (the gradient of the layer's output
    /// rows) through the layer whose intermediate results are `activations`:
    /// writes every weight's gradient into `gradients` (laid out as
    /// `weights`; nil: the weights are frozen and none is computed), adds the
    /// adapters' into `adapterGradients`, and returns the gradient of the
    /// layer's input rows.
    func backward(
        layer: Int, activations a: LayerActivations, outputGradient: FloatBuffer, batch: TrainingBatch,
        weights: LayerWeights, gradients: LayerWeights?, adapterGradients: inout [String: [Float]]?
    ) throws -> FloatBuffer {
        let rows = batch.rowCount
        let hidden = config.hiddenSize
        let inner = config.intermediateSize
        let queryWidth = config.queryWidth
        let attention = self.attention
        let projections = adaptedProjections(layer, a)
        let gradient = { (role: WeightRole) in gradients?.mutable(role) }

        // Unzeroed buffers: a copy or a product that does not accumulate writes all of each first.
        // output = middle + down(gated)
        let middleGradient = try buffer(rows: rows, width: hidden, zeroed: false)
        middleGradient.pointer.update(from: outputGradient.pointer, count: rows * hidden)
        let gatedGradient = try buffer(rows: rows, width: inner, zeroed: false)
        try products.linearInput(
            outputGradient.pointer, rows: rows, outputWidth: hidden, outputStride: hidden, weight: weights[.down],
            inputWidth: inner, gatedGradient.pointer, inputStride: inner)
        if let target = gradient(.down) {
            try products.linearWeight(
                outputGradient.pointer, rows: rows, outputWidth: hidden, outputStride: hidden,
                input: a.gated.pointer, inputWidth: inner, inputStride: inner, target)
        }
        try adapterBackward(
            projections[6], rows: rows, outputGradient: outputGradient, inputGradient: gatedGradient,
            gradients: &adapterGradients)
        // gated = silu(gate) · up; [gate | up] = normalizedMiddle · [Wg | Wu]ᵀ
        let gateUpGradient = try buffer(rows: rows, width: 2 * inner, zeroed: false)
        try tiledWork(count: rows, tile: TiledProducts.rowTile, threads: threads) { range in
            let first = range.lowerBound
            BackwardKernels.siluGate(
                a.gateUp.pointer + first * 2 * inner, activationGradient: gatedGradient.pointer + first * inner,
                rows: range.count, width: inner, gateUpGradient.pointer + first * 2 * inner)
        }
        let normalizedMiddleGradient = try buffer(rows: rows, width: hidden, zeroed: false)
        try products.linearInput(
            gateUpGradient.pointer, rows: rows, outputWidth: 2 * inner, outputStride: 2 * inner,
            weight: weights[.gate], inputWidth: hidden, normalizedMiddleGradient.pointer, inputStride: hidden)
        if let target = gradient(.gate) {
            try products.linearWeight(
                gateUpGradient.pointer, rows: rows, outputWidth: 2 * inner, outputStride: 2 * inner,
                input: a.normalizedMiddle.pointer, inputWidth: hidden, inputStride: hidden, target)
        }
        for projection in projections[4..<6] {
            try adapterBackward(
                projection, rows: rows, outputGradient: gateUpGradient, inputGradient: normalizedMiddleGradient,
                gradients: &adapterGradients)
        }
        try rmsNormBackward(
            a.middle, outputGradient: normalizedMiddleGradient, rows: rows, weight: weights[.postAttentionNorm],
            inputGradient: middleGradient, weightGradient: gradient(.postAttentionNorm))

        // middle = input + o(attention)
        let attentionGradient = try buffer(rows: rows, width: queryWidth, zeroed: false)
        try products.linearInput(
            middleGradient.pointer, rows: rows, outputWidth: hidden, outputStride: hidden, weight: weights[.output],
            inputWidth: queryWidth, attentionGradient.pointer, inputStride: queryWidth)
        if let target = gradient(.output) {
            try products.linearWeight(
                middleGradient.pointer, rows: rows, outputWidth: hidden, outputStride: hidden,
                input: a.attention.pointer, inputWidth: queryWidth, inputStride: queryWidth, target)
        }
        try adapterBackward(
            projections[3], rows: rows, outputGradient: middleGradient, inputGradient: attentionGradient,
            gradients: &adapterGradients)
        let queryKeyValueGradient = try buffer(rows: rows, width: attention.stride, zeroed: false)
        let longest = longest(batch)
        let units = batch.records.indices.flatMap { record in (0..<config.keyValueHeadCount).map { (record, $0) } }
        let scratch = try (0..<min(threads, units.count)).map { _ in try buffer(rows: 2 * longest, width: longest) }
        try parallelWork(count: units.count, threads: threads) { index, worker in
            let (record, keyValueHead) = units[index]
            let offset = batch.offsets[record]
            attention.backward(
                a.queryKeyValue.pointer + offset * attention.stride, count: batch.records[record].ids.count,
                keyValueHead: keyValueHead, outputGradient: attentionGradient.pointer + offset * queryWidth,
                queryKeyValueGradient.pointer + offset * attention.stride, scratch: scratch[worker].pointer)
        }
        try rotate(queryKeyValueGradient, batch: batch, inverse: true)

        // [q | k | v] = normalized · [Wq | Wk | Wv]ᵀ (+ biases); normalized = RMSNorm(input)
        let normalizedGradient = try buffer(rows: rows, width: hidden, zeroed: false)
        try products.linearInput(
            queryKeyValueGradient.pointer, rows: rows, outputWidth: attention.stride, outputStride: attention.stride,
            weight: weights[.query], inputWidth: hidden, normalizedGradient.pointer, inputStride: hidden)
        if let target = gradient(.query) {
            try products.linearWeight(
                queryKeyValueGradient.pointer, rows: rows, outputWidth: attention.stride,
                outputStride: attention.stride, input: a.normalized.pointer, inputWidth: hidden, inputStride: hidden,
                target)
        }
        if let bias = gradient(.queryBias) {
            for row in 0..<rows {
                let line = queryKeyValueGradient.pointer + row * attention.stride
                for index in 0..<attention.stride { bias[index] += line[index] }
            }
        }
        for projection in projections[0..<3] {
            try adapterBackward(
                projection, rows: rows, outputGradient: queryKeyValueGradient, inputGradient: normalizedGradient,
                gradients: &adapterGradients)
        }
        let inputGradient = middleGradient
        try rmsNormBackward(
            a.input, outputGradient: normalizedGradient, rows: rows, weight: weights[.inputNorm],
            inputGradient: inputGradient, weightGradient: gradient(.inputNorm))
        return inputGradient
    }

    /// RMSNorm's backward over fixed tiles of rows: each tile's weight
    /// gradient in its own partial sum, the partials added in tile order.
    func rmsNormBackward(
        _ input: FloatBuffer, outputGradient: FloatBuffer, rows: Int, weight: UnsafePointer<Float>,
        inputGradient: FloatBuffer, weightGradient: UnsafeMutablePointer<Float>?
    ) throws {
        let hidden = config.hiddenSize
        let epsilon = config.rmsNormEpsilon
        let tile = TiledProducts.rowTile
        let tiles = (rows + tile - 1) / tile
        let partials = try buffer(rows: max(1, tiles), width: hidden)
        let w = SharedFloats(weight)
        try tiledWork(count: rows, tile: tile, threads: threads) { range in
            let first = range.lowerBound
            BackwardKernels.rmsNorm(
                input.pointer + first * hidden, outputGradient: outputGradient.pointer + first * hidden,
                rows: range.count, width: hidden, weight: w.base, epsilon: epsilon,
                inputGradient: inputGradient.pointer + first * hidden,
                weightGradient: partials.pointer + first / tile * hidden)
        }
        guard let weightGradient else { return }
        for index in 0..<tiles {
            for feature in 0..<hidden { weightGradient[feature] += partials.pointer[index * hidden + feature] }
        }
    }
}
