import Base

extension TrainableModel {
    /// Back-propagates `outputGradient` (the gradient of the layer's output
    /// rows) through the layer whose intermediate results are `activations`:
    /// writes the gradient of every weight into `gradients` (laid out as
    /// `weights`) and returns the gradient of the layer's input rows.
    func backward(
        activations: LayerActivations, outputGradient: FloatBuffer, batch: TrainingBatch, weights: LayerWeights,
        gradients: LayerWeights, budget: ByteBudget
    ) throws -> FloatBuffer {
        let rows = batch.rowCount
        let hidden = config.hiddenSize
        let inner = config.intermediateSize
        let queryWidth = config.queryWidth
        let attention = self.attention
        let epsilon = config.rmsNormEpsilon
        let buffer = { (width: Int) throws in try FloatBuffer(count: rows * width, budget: budget, purpose: "training")
        }
        // checked: `gradients` is laid out from the same tensor list as `weights`
        let gradient = { (role: WeightRole) in gradients.mutable(role)! }

        // output = middle + down(gated)
        let middleGradient = try buffer(hidden)
        middleGradient.pointer.update(from: outputGradient.pointer, count: rows * hidden)
        let gatedGradient = try buffer(inner)
        BackwardKernels.linearInput(
            outputGradient.pointer, rows: rows, outputWidth: hidden, weight: weights[.down], inputWidth: inner,
            gatedGradient.pointer)
        BackwardKernels.linearWeight(
            outputGradient.pointer, rows: rows, outputWidth: hidden, input: activations.gated.pointer,
            inputWidth: inner, gradient(.down), biasGradient: nil)
        // gated = silu(gate) · up; [gate | up] = normalizedMiddle · [Wg | Wu]ᵀ
        let gateUpGradient = try buffer(2 * inner)
        BackwardKernels.siluGate(
            activations.gateUp.pointer, activationGradient: gatedGradient.pointer, rows: rows, width: inner,
            gateUpGradient.pointer)
        let normalizedMiddleGradient = try buffer(hidden)
        BackwardKernels.linearInput(
            gateUpGradient.pointer, rows: rows, outputWidth: 2 * inner, weight: weights[.gate], inputWidth: hidden,
            normalizedMiddleGradient.pointer)
        BackwardKernels.linearWeight(
            gateUpGradient.pointer, rows: rows, outputWidth: 2 * inner, input: activations.normalizedMiddle.pointer,
            inputWidth: hidden, gradient(.gate), biasGradient: nil)
        BackwardKernels.rmsNorm(
            activations.middle.pointer, outputGradient: normalizedMiddleGradient.pointer, rows: rows, width: hidden,
            weight: weights[.postAttentionNorm], epsilon: epsilon, inputGradient: middleGradient.pointer,
            weightGradient: gradient(.postAttentionNorm))

        // middle = input + o(attention)
        let attentionGradient = try buffer(queryWidth)
        BackwardKernels.linearInput(
            middleGradient.pointer, rows: rows, outputWidth: hidden, weight: weights[.output], inputWidth: queryWidth,
            attentionGradient.pointer)
        BackwardKernels.linearWeight(
            middleGradient.pointer, rows: rows, outputWidth: hidden, input: activations.attention.pointer,
            inputWidth: queryWidth, gradient(.output), biasGradient: nil)
        let queryKeyValueGradient = try buffer(attention.stride)
        let scratch = try FloatBuffer(count: 2 * longest(batch) * longest(batch), budget: budget, purpose: "attention")
        for (record, offset) in batch.offsets.enumerated() {
            attention.backward(
                activations.queryKeyValue.pointer + offset * attention.stride, count: batch.records[record].ids.count,
                outputGradient: attentionGradient.pointer + offset * queryWidth,
                queryKeyValueGradient.pointer + offset * attention.stride, scratch: scratch.pointer)
        }
        try rotate(queryKeyValueGradient, batch: batch, inverse: true, budget: budget)

        // [q | k | v] = normalized · [Wq | Wk | Wv]ᵀ (+ biases); normalized = RMSNorm(input)
        let normalizedGradient = try buffer(hidden)
        BackwardKernels.linearInput(
            queryKeyValueGradient.pointer, rows: rows, outputWidth: attention.stride, weight: weights[.query],
            inputWidth: hidden, normalizedGradient.pointer)
        BackwardKernels.linearWeight(
            queryKeyValueGradient.pointer, rows: rows, outputWidth: attention.stride,
            input: activations.normalized.pointer, inputWidth: hidden, gradient(.query),
            biasGradient: gradients.mutable(.queryBias))
        let inputGradient = middleGradient
        BackwardKernels.rmsNorm(
            activations.input.pointer, outputGradient: normalizedGradient.pointer, rows: rows, width: hidden,
            weight: weights[.inputNorm], epsilon: epsilon, inputGradient: inputGradient.pointer,
            weightGradient: gradient(.inputNorm))
        return inputGradient
    }
}
