import Base
import Compute

/// What one training pass computed over a batch.
public struct TrainingPassResult: Sendable {
    /// Mean cross-entropy of the next tokens over the loss positions.
    public let ce: Double
    /// Mean cross-entropy against the teachers' renormalised targets.
    public let fusion: Double
    /// `λ·ce + (1 − λ)·fusion`.
    public let total: Double
    /// The loss positions the means are over.
    public let lossPositions: Int
    /// `∂total/∂adapter` of every LoRA adapter, by name (empty without adapters).
    public let adapterGradients: [String: [Float]]

    public init(
        ce: Double, fusion: Double, total: Double, lossPositions: Int, adapterGradients: [String: [Float]] = [:]
    ) {
        self.ce = ce
        self.fusion = fusion
        self.total = total
        self.lossPositions = lossPositions
        self.adapterGradients = adapterGradients
    }
}

/// The forward and backward pass of a llama or qwen2 decoder over a batch
/// of training records (issue 19), weights read from a `LayerWeightSource`
/// one layer at a time: full fine-tuning adds every weight's gradient into
/// a `GradientSink`; with LoRA adapters the source's weights stay frozen
/// and only the adapters' gradients are computed (no weight gradient is).
///
/// Memory: each layer's intermediate results are kept from the forward to
/// the backward when the budget holds all of them; otherwise only each
/// layer's input is, and the backward recomputes one layer at a time from
/// it (activation checkpointing by layer); and when even the layers'
/// inputs would take more than a quarter of the budget, they go to a file
/// in `spillFolder` and come back one at a time. Either way the numbers are
/// the same. Products run in fixed tiles on up to `threads` workers
/// (`TiledProducts`), and every reduction over rows runs in a fixed order,
/// so results depend on the records and weights alone.
public final class TrainingPass: Sendable {
    public let config: ModelConfig
    let architecture: LlamaArchitecture
    let source: any LayerWeightSource
    let adapters: LoRAAdapters?
    let threads: Int
    let budget: ByteBudget
    let products: TiledProducts
    /// Loss positions the head multiplies against the whole vocabulary at once.
    let headRowCount: Int
    /// Whether the backward reuses the forward's results (nil: when the budget holds them).
    let keepActivations: Bool?
    /// Where layer inputs may be spilled (nil: never).
    let spillFolder: String?
    /// Whether they are (nil: when they would take over a quarter of the budget).
    let spillInputs: Bool?
    /// Vocabulary rows one work unit of the head takes.
    static let vocabularyTile = 4_096

    /// `keepActivations`: true or false to choose whether the forward's
    /// intermediate results are kept for the backward or recomputed from
    /// each layer's input (the same numbers either way); nil: kept when
    /// the budget holds them.
    public init(
        config: ModelConfig, source: any LayerWeightSource, adapters: LoRAAdapters? = nil, threads: Int = 1,
        budget: ByteBudget = ByteBudget(limitBytes: .max), keepActivations: Bool? = nil,
        spillFolder: String? = nil, spillInputs: Bool? = nil
    ) throws(ModelError) {
        self.keepActivations = keepActivations
        self.spillFolder = spillFolder
        self.spillInputs = spillInputs
        guard config.kind != .gemma3 else { throw .untrainableArchitecture(model: source.name, kind: config.kind) }
        self.config = config
        self.source = source
        self.adapters = adapters
        self.threads = max(1, threads)
        self.budget = budget
        architecture = LlamaArchitecture(config: config)
        products = TiledProducts(threads: self.threads)
        headRowCount = max(8, min(256, (16 << 20) / max(1, config.vocabularySize)))
        for (name, shape) in TrainableModel.parameterShapes(config) { try source.check(name, shape: shape) }
    }

    /// Runs `records` forward, each its own causal sequence, and back
    /// through every layer; adds every weight's gradient of the total into
    /// `sink` (full fine-tuning; nil with adapters). A tied head's gradient
    /// goes into the embedding's.
    ///
    /// The losses are means over `positionCount` loss positions (nil: the
    /// records' own): a step whose records run as several passes (gradient
    /// accumulation) gives each pass the step's count, and the passes'
    /// losses and gradients add up to the step's.
    public func run(
        records: [TrainingRecord], lambda: Double, sink: (any GradientSink)?, positionCount: Int? = nil
    ) throws -> TrainingPassResult {
        for (index, record) in records.enumerated() {
            try record.check(index: index, vocabularySize: config.vocabularySize)
        }
        let batch = TrainingBatch(records: records)
        let layerCount = config.layerCount
        let keep = keepsActivations(rows: batch.rowCount)
        let spill = try inputSpill(rows: batch.rowCount, keep: keep)
        // Each layer's input; with a spill only the last, the others in its file.
        var inputs = [try embed(batch)]
        var kept: [LayerActivations] = []
        for layer in 0..<layerCount {
            let weights = try layerWeights(layer)
            let activations = try forward(layer: layer, input: inputs[inputs.count - 1], batch: batch, weights: weights)
            if let spill { try spill.write(inputs.removeLast(), layer: layer) }
            inputs.append(activations.output)
            if keep { kept.append(activations) }
        }
        var adapterGradients = adapters.map { adapters in
            adapters.parameters.mapValues { [Float](repeating: 0, count: $0.count) }
        }
        let head = LossHead(batch: batch, lambda: lambda)
        let (hiddenGradient, ce, fusion) = try lossGradient(
            head, final: inputs[inputs.count - 1], batch: batch, sink: adapters == nil ? sink : nil,
            positionCount: max(1, positionCount ?? head.rows.count))
        inputs.removeLast()
        var outputGradient = hiddenGradient
        for layer in (0..<layerCount).reversed() {
            let weights = try layerWeights(layer)
            let input = try spill?.read(layer: layer, budget: budget) ?? inputs.removeLast()
            let activations =
                keep ? kept.removeLast() : try forward(layer: layer, input: input, batch: batch, weights: weights)
            let tensors = architecture.layerTensors(layer)
            let gradients = adapters == nil ? try LayerWeights(tensors: tensors, budget: budget) : nil
            outputGradient = try backward(
                layer: layer, activations: activations, outputGradient: outputGradient, batch: batch,
                weights: weights, gradients: gradients, adapterGradients: &adapterGradients)
            if let gradients, let sink {
                for tensor in tensors {
                    let count = tensor.shape.reduce(1, *)
                    try sink.add(
                        tensor.name, elements: 0..<count,
                        UnsafeBufferPointer(gradients.destination(tensor.role, count: count)))
                }
            }
        }
        if adapters == nil, let sink {
            // Each row's gradient goes to its token's embedding row, in row order.
            let hidden = config.hiddenSize
            for (row, id) in batch.ids.enumerated() {
                try sink.add(
                    architecture.embeddingName, elements: id * hidden..<(id + 1) * hidden,
                    UnsafeBufferPointer(start: outputGradient.pointer + row * hidden, count: hidden))
            }
        }
        return TrainingPassResult(
            ce: ce, fusion: fusion, total: lambda * ce + (1 - lambda) * fusion, lossPositions: head.rows.count,
            adapterGradients: adapterGradients ?? [:])
    }

    /// A spill file for the layers' inputs, when `spillInputs` says so or,
    /// without it, when they are not kept with the rest and would take more
    /// than a quarter of the free budget.
    func inputSpill(rows: Int, keep: Bool) throws -> LayerInputSpill? {
        guard let spillFolder, !keep else { return nil }
        let bytes = UInt64(config.layerCount * rows * config.hiddenSize) * 4
        let free = budget.limitBytes - min(budget.limitBytes, budget.reservedBytes)
        guard spillInputs ?? (bytes > free / 4) else { return nil }
        return try LayerInputSpill(folder: spillFolder, count: rows * config.hiddenSize)
    }

    /// Whether every layer's intermediate results fit the budget at once
    /// (beside the head's work), so the backward need not recompute them.
    func keepsActivations(rows: Int) -> Bool {
        if let keepActivations { return keepActivations }
        let perLayer = UInt64(rows * LayerActivations.width(config)) * 4
        let head = UInt64(headRowCount * config.vocabularySize + 2 * config.vocabularySize * config.hiddenSize) * 4
        let free = budget.limitBytes - min(budget.limitBytes, budget.reservedBytes)
        return UInt64(config.layerCount) * perLayer + head <= free / 2
    }

    /// Layer `layer`'s weights decoded from the source, laid out as the
    /// forward pass lays them (q, k, v next to each other; gate and up).
    func layerWeights(_ layer: Int) throws -> LayerWeights {
        let tensors = architecture.layerTensors(layer)
        let weights = try LayerWeights(tensors: tensors, budget: budget)
        for tensor in tensors {
            let count = tensor.shape.reduce(1, *)
            try source.decode(tensor.name, elements: 0..<count, into: weights.destination(tensor.role, count: count))
        }
        return weights
    }

    /// The embedding rows of the batch's tokens.
    private func embed(_ batch: TrainingBatch) throws -> FloatBuffer {
        let hidden = config.hiddenSize
        let rows = try FloatBuffer(count: batch.rowCount * hidden, budget: budget, purpose: "training")
        for (row, id) in batch.ids.enumerated() {
            try source.decode(
                architecture.embeddingName, elements: id * hidden..<(id + 1) * hidden,
                into: UnsafeMutableBufferPointer(start: rows.pointer + row * hidden, count: hidden))
        }
        return rows
    }

    /// A buffer of `rows` rows of `width` floats, zero-filled unless the
    /// caller writes every float before reading any (`zeroed: false`).
    func buffer(rows: Int, width: Int, zeroed: Bool = true) throws -> FloatBuffer {
        try FloatBuffer(count: rows * width, budget: budget, purpose: "training", zeroed: zeroed)
    }
}

extension TrainableModel {
    /// The losses of `records` and the gradient of the total for every
    /// parameter, by name (one thread, no memory bound): the reference
    /// entry point the gradient tests check against torch.
    public func lossAndGradients(records: [TrainingRecord], lambda: Double, threads: Int = 1) throws -> TrainingLoss {
        let source = ParameterWeightSource(name: "model", tensors: parameters, shapes: parameterShapes)
        let sink = GradientBuffers(counts: parameters.mapValues(\.count))
        let pass = try TrainingPass(config: config, source: source, threads: threads)
        let result = try pass.run(records: records, lambda: lambda, sink: sink)
        return TrainingLoss(ce: result.ce, fusion: result.fusion, total: result.total, gradients: sink.gradients)
    }

    /// The losses of the model with `adapters` added, and the gradient of
    /// the total with respect to every adapter (the base stays frozen).
    public func lossAndGradients(
        records: [TrainingRecord], lambda: Double, adapters: LoRAAdapters, threads: Int = 1
    ) throws -> TrainingLoss {
        let source = ParameterWeightSource(name: "model", tensors: parameters, shapes: parameterShapes)
        let pass = try TrainingPass(config: config, source: source, adapters: adapters, threads: threads)
        let result = try pass.run(records: records, lambda: lambda, sink: nil)
        return TrainingLoss(
            ce: result.ce, fusion: result.fusion, total: result.total, gradients: result.adapterGradients)
    }
}

/// The losses of a batch of training records and the gradient of the total.
public struct TrainingLoss: Sendable {
    /// Mean cross-entropy of the next tokens over the loss positions.
    public let ce: Double
    /// Mean cross-entropy against the teachers' renormalised top-K.
    public let fusion: Double
    /// `λ·ce + (1 − λ)·fusion`.
    public let total: Double
    /// `∂total/∂parameter` for every parameter (or adapter), under its name.
    public let gradients: [String: [Float]]
}
