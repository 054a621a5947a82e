import Base

/// The losses of a batch of training records and the gradient of the total.
public struct TrainingLoss: Sendable {
    /// Mean cross-entropy of the next tokens over the loss positions.
    public let ce: Double
    /// Mean cross-entropy against the teachers' renormalised top-K.
    public let fusion: Double
    /// `λ·ce + (1 − λ)·fusion`.
    public let total: Double
    /// `∂total/∂parameter` for every parameter, under its name.
    public let gradients: [String: [Float]]
}

extension TrainableModel {
    /// Runs `records` forward, each its own causal sequence, and back
    /// through every layer. The forward keeps each layer's input only; the
    /// backward recomputes one layer at a time from it. A tied head's
    /// gradient is in the embedding's.
    public func lossAndGradients(records: [TrainingRecord], lambda: Double) throws -> TrainingLoss {
        for (index, record) in records.enumerated() {
            try record.check(index: index, vocabularySize: config.vocabularySize)
        }
        // Everything here grows with the batch and the model; the budget
        // that bounds it comes with the optimizer (DESIGN.md, "Running a model").
        let budget = ByteBudget(limitBytes: .max)
        let batch = TrainingBatch(records: records)
        let hidden = config.hiddenSize
        var inputs = [try embed(batch, budget: budget)]
        for layer in 0..<config.layerCount {
            let weights = try layerWeights(layer, budget: budget)
            inputs.append(
                try forward(layer: layer, input: inputs[layer], batch: batch, weights: weights, budget: budget).output)
        }
        var gradients: [String: [Float]] = [:]
        let head = LossHead(batch: batch, lambda: lambda)
        let (hiddenGradient, ce, fusion) = try lossGradient(
            head, final: inputs[config.layerCount], batch: batch, gradients: &gradients, budget: budget)
        var outputGradient = hiddenGradient
        for layer in (0..<config.layerCount).reversed() {
            let weights = try layerWeights(layer, budget: budget)
            let activations = try forward(
                layer: layer, input: inputs[layer], batch: batch, weights: weights, budget: budget)
            let tensors = architecture.layerTensors(layer)
            let layerGradients = try LayerWeights(tensors: tensors, budget: budget)
            outputGradient = try backward(
                activations: activations, outputGradient: outputGradient, batch: batch, weights: weights,
                gradients: layerGradients, budget: budget)
            for tensor in tensors {
                let count = tensor.shape.reduce(1, *)
                gradients[tensor.name] = Array(layerGradients.destination(tensor.role, count: count))
            }
        }
        // Each row's gradient goes to its token's embedding row (a tied head's part is already there).
        let embedding = architecture.embeddingName
        var embeddingGradient = gradients[embedding] ?? [Float](repeating: 0, count: config.vocabularySize * hidden)
        for (row, id) in batch.ids.enumerated() {
            for index in 0..<hidden {
                embeddingGradient[id * hidden + index] += outputGradient.pointer[row * hidden + index]
            }
        }
        gradients[embedding] = embeddingGradient
        return TrainingLoss(ce: ce, fusion: fusion, total: lambda * ce + (1 - lambda) * fusion, gradients: gradients)
    }

    /// The embedding rows of the batch's tokens.
    private func embed(_ batch: TrainingBatch, budget: ByteBudget) throws -> FloatBuffer {
        let hidden = config.hiddenSize
        let rows = try FloatBuffer(count: batch.rowCount * hidden, budget: budget, purpose: "training")
        // checked: init keeps the embedding
        let embedding = parameters[architecture.embeddingName]!
        for (row, id) in batch.ids.enumerated() {
            for index in 0..<hidden { rows.pointer[row * hidden + index] = embedding[id * hidden + index] }
        }
        return rows
    }

    /// The final norm and the loss head over the loss positions' rows of
    /// `final`: the losses, the gradient of every row of `final`, and the
    /// final norm's and the head's gradients put into `gradients`.
    private func lossGradient(
        _ head: LossHead, final: FloatBuffer, batch: TrainingBatch, gradients: inout [String: [Float]],
        budget: ByteBudget
    ) throws -> (FloatBuffer, ce: Double, fusion: Double) {
        let hidden = config.hiddenSize
        let count = head.rows.count
        let selected = try FloatBuffer(count: count * hidden, budget: budget, purpose: "training")
        for (index, row) in head.rows.enumerated() {
            (selected.pointer + index * hidden).update(from: final.pointer + row * hidden, count: hidden)
        }
        let normalized = try FloatBuffer(count: count * hidden, budget: budget, purpose: "training")
        let normalizedGradient = try FloatBuffer(count: count * hidden, budget: budget, purpose: "training")
        let selectedGradient = try FloatBuffer(count: count * hidden, budget: budget, purpose: "training")
        let scratch = try FloatBuffer(count: head.scratchCount, budget: budget, purpose: "training")
        // checked: init keeps the final norm and the head
        let norm = parameters[architecture.finalNormName]!
        let weights = parameters[architecture.headName]!
        var normGradient = [Float](repeating: 0, count: hidden)
        var headGradient = [Float](repeating: 0, count: weights.count)
        let epsilon = config.rmsNormEpsilon
        let vocabularySize = config.vocabularySize
        let (ce, fusion) = norm.withUnsafeBufferPointer { norm in
            // checked: the norm and the head have hidden_size ≥ 1 floats
            Kernels.rmsNorm(
                selected.pointer, normalized.pointer, rows: count, width: hidden, stride: hidden,
                weight: norm.baseAddress!, epsilon: epsilon, weightOffset: 0)
            let losses = weights.withUnsafeBufferPointer { weights in
                headGradient.withUnsafeMutableBufferPointer { headGradient in
                    head.run(
                        normalized: normalized.pointer, head: weights.baseAddress!, vocabularySize: vocabularySize,
                        hiddenSize: hidden, normalizedGradient: normalizedGradient.pointer,
                        headGradient: headGradient.baseAddress!, scratch: scratch.pointer)
                }
            }
            normGradient.withUnsafeMutableBufferPointer { normGradient in
                BackwardKernels.rmsNorm(
                    selected.pointer, outputGradient: normalizedGradient.pointer, rows: count, width: hidden,
                    weight: norm.baseAddress!, epsilon: epsilon, inputGradient: selectedGradient.pointer,
                    weightGradient: normGradient.baseAddress!)
            }
            return losses
        }
        gradients[architecture.finalNormName] = normGradient
        gradients[architecture.headName] = headGradient
        let finalGradient = try FloatBuffer(count: batch.rowCount * hidden, budget: budget, purpose: "training")
        for (index, row) in head.rows.enumerated() {
            (finalGradient.pointer + row * hidden).update(
                from: selectedGradient.pointer + index * hidden, count: hidden)
        }
        return (finalGradient, ce, fusion)
    }
}
