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
        try linearBackward(
            outputGradient, outputWidth: hidden, weight: weights[.down], input: a.gated, inputWidth: inner,
            inputGradient: gatedGradient, weightGradient: gradient(.down), rows: rows, projections: projections[6...6],
            adapterGradients: &adapterGradients)
        // gated = silu(gate) · up; [gate | up] = normalizedMiddle · [Wg | Wu]ᵀ
        let gateUpGradient = try buffer(rows: rows, width: 2 * inner, zeroed: false)
        try tiledWork(count: rows, tile: TiledProducts.rowTile, threads: threads) { range in
            let first = range.lowerBound
            BackwardKernels.siluGate(
                a.gateUp.pointer + first * 2 * inner, activationGradient: gatedGradient.pointer + first * inner,
                rows: range.count, width: inner, gateUpGradient.pointer + first * 2 * inner)
        }
        let normalizedMiddleGradient = try buffer(rows: rows, width: hidden, zeroed: false)
        try linearBackward(
            gateUpGradient, outputWidth: 2 * inner, weight: weights[.gate], input: a.normalizedMiddle,
            inputWidth: hidden, inputGradient: normalizedMiddleGradient, weightGradient: gradient(.gate), rows: rows,
            projections: projections[4..<6], adapterGradients: &adapterGradients)
        try rmsNormBackward(
            a.middle, outputGradient: normalizedMiddleGradient, rows: rows, weight: weights[.postAttentionNorm],
            inputGradient: middleGradient, weightGradient: gradient(.postAttentionNorm))

        // middle = input + o(attention)
        let attentionGradient = try buffer(rows: rows, width: queryWidth, zeroed: false)
        try linearBackward(
            middleGradient, outputWidth: hidden, weight: weights[.output], input: a.attention, inputWidth: queryWidth,
            inputGradient: attentionGradient, weightGradient: gradient(.output), rows: rows,
            projections: projections[3...3], adapterGradients: &adapterGradients)
        let queryKeyValueGradient = try buffer(rows: rows, width: attention.stride, zeroed: false)
        let longest = longest(batch)
        let units = batch.records.indices.flatMap { record in (0..<config.keyValueHeadCount).map { (record, $0) } }
        let scratch = try (0..<min(threads, units.count)).map { _ in
            try buffer(rows: 1, width: CausalAttention.backwardScratchCount(count: longest))
        }
        try parallelWork(count: units.count, threads: threads) { index, worker in
            let (record, keyValueHead) = units[index]
            let offset = batch.offsets[record]
            attention.backward(
                a.queryKeyValue.pointer + offset * attention.stride, count: batch.records[record].ids.count,
                keyValueHead: keyValueHead, output: a.attention.pointer + offset * queryWidth,
                logSumExps: a.logSumExps.pointer + offset * config.headCount,
                outputGradient: attentionGradient.pointer + offset * queryWidth,
                queryKeyValueGradient.pointer + offset * attention.stride, scratch: scratch[worker].pointer)
        }
        try rotate(queryKeyValueGradient, batch: batch, inverse: true)

        // [q | k | v] = normalized · [Wq | Wk | Wv]ᵀ (+ biases); normalized = RMSNorm(input)
        let normalizedGradient = try buffer(rows: rows, width: hidden, zeroed: false)
        try linearBackward(
            queryKeyValueGradient, outputWidth: attention.stride, weight: weights[.query], input: a.normalized,
            inputWidth: hidden, inputGradient: normalizedGradient, weightGradient: gradient(.query), rows: rows,
            projections: projections[0..<3], adapterGradients: &adapterGradients)
        if let bias = gradient(.queryBias) {
            for row in 0..<rows {
                let line = queryKeyValueGradient.pointer + row * attention.stride
                for index in 0..<attention.stride { bias[index] += line[index] }
            }
        }
        let inputGradient = middleGradient
        try rmsNormBackward(
            a.input, outputGradient: normalizedGradient, rows: rows, weight: weights[.inputNorm],
            inputGradient: inputGradient, weightGradient: gradient(.inputNorm))
        return inputGradient
    }

    /// The backward of `Y = X·Wᵀ` (rows `width` floats apart): writes
    /// `dX = dY·W` over `inputGradient`, adds `dYᵀ·X` into `weightGradient`
    /// when the weight is trained, then the adapters of `projections` (the
    /// projections this product computes) their part.
    func linearBackward(
        _ outputGradient: FloatBuffer, outputWidth: Int, weight: UnsafePointer<Float>, input: FloatBuffer,
        inputWidth: Int, inputGradient: FloatBuffer, weightGradient: UnsafeMutablePointer<Float>?, rows: Int,
        projections: ArraySlice<AdaptedProjection?>, adapterGradients: inout [String: [Float]]?
    ) throws {
        try products.linearInput(
            outputGradient.pointer, rows: rows, outputWidth: outputWidth, outputStride: outputWidth, weight: weight,
            inputWidth: inputWidth, inputGradient.pointer, inputStride: inputWidth)
        if let weightGradient {
            try products.linearWeight(
                outputGradient.pointer, rows: rows, outputWidth: outputWidth, outputStride: outputWidth,
                input: input.pointer, inputWidth: inputWidth, inputStride: inputWidth, weightGradient)
        }
        for projection in projections {
            try adapterBackward(
                projection, rows: rows, outputGradient: outputGradient, inputGradient: inputGradient,
                gradients: &adapterGradients)
        }
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
