/// The tensors of one decoder layer, by role.
public enum WeightRole: Int, Sendable, CaseIterable {
    case inputNorm, query, key, value, output, queryBias, keyBias, valueBias, queryNorm, keyNorm
    case postAttentionNorm, preFeedForwardNorm, postFeedForwardNorm, gate, up, down
}

/// One tensor a layer needs: its role, Hugging Face name and shape.
public struct LayerTensor: Sendable, Equatable {
    public let role: WeightRole
    public let name: String
    public let shape: [Int]
}

/// One architecture's layer, llama.cpp style: the file of each
/// architecture says which tensors a layer has and composes the shared
/// kernels into its two token-wise halves, around the attention that the
/// engine computes in blocks.
protocol DecoderArchitecture: Sendable {
    var config: ModelConfig { get }
    /// The tensors of layer `index`.
    func layerTensors(_ index: Int) -> [LayerTensor]
    /// What multiplies the embedding rows (Gemma's √hidden), if anything.
    var embeddingScale: Float? { get }
    /// 1 where RMSNorm weights are stored as `w` of `(1 + w)` (Gemma).
    var normWeightOffset: Float { get }
    /// Normalises the tile's hidden rows and writes its queries, keys and
    /// values, rotated to their positions.
    func attentionInputs(_ tile: LayerTile, weights: LayerWeights)
    /// Projects the attention output, adds it to the hidden rows, and runs
    /// the feed-forward block with its residual.
    func attentionOutputAndFeedForward(_ tile: LayerTile, weights: LayerWeights)
}

extension DecoderArchitecture {
    /// The tensors outside the layers.
    var embeddingName: String { "model.embed_tokens.weight" }
    var finalNormName: String { "model.norm.weight" }
    var headName: String { config.isTiedEmbedding ? embeddingName : "lm_head.weight" }

    /// The projections every architecture here has, with biases when the config says.
    func attentionTensors(_ layer: Int) -> [LayerTensor] {
        let prefix = "model.layers.\(layer).self_attn."
        let hidden = config.hiddenSize
        var tensors = [
            LayerTensor(role: .query, name: prefix + "q_proj.weight", shape: [config.queryWidth, hidden]),
            LayerTensor(role: .key, name: prefix + "k_proj.weight", shape: [config.keyValueWidth, hidden]),
            LayerTensor(role: .value, name: prefix + "v_proj.weight", shape: [config.keyValueWidth, hidden]),
            LayerTensor(role: .output, name: prefix + "o_proj.weight", shape: [hidden, config.queryWidth]),
        ]
        if config.hasAttentionBias {
            tensors += [
                LayerTensor(role: .queryBias, name: prefix + "q_proj.bias", shape: [config.queryWidth]),
                LayerTensor(role: .keyBias, name: prefix + "k_proj.bias", shape: [config.keyValueWidth]),
                LayerTensor(role: .valueBias, name: prefix + "v_proj.bias", shape: [config.keyValueWidth]),
            ]
        }
        return tensors
    }

    func feedForwardTensors(_ layer: Int) -> [LayerTensor] {
        let prefix = "model.layers.\(layer).mlp."
        let hidden = config.hiddenSize
        let inner = config.intermediateSize
        return [
            LayerTensor(role: .gate, name: prefix + "gate_proj.weight", shape: [inner, hidden]),
            LayerTensor(role: .up, name: prefix + "up_proj.weight", shape: [inner, hidden]),
            LayerTensor(role: .down, name: prefix + "down_proj.weight", shape: [hidden, inner]),
        ]
    }

    func norm(_ layer: Int, _ role: WeightRole, _ name: String, width: Int? = nil) -> LayerTensor {
        LayerTensor(role: role, name: "model.layers.\(layer).\(name).weight", shape: [width ?? config.hiddenSize])
    }

    /// q, k, v projections of `input` (the normalised rows), with biases, as
    /// one product: `attentionTensors` lists the three weights (and the
    /// three biases) next to each other, so they are one `[q + 2kv × hidden]`
    /// matrix in `LayerWeights`, and each output row is `[q | k | v]`.
    func projectQueryKeyValue(_ tile: LayerTile, input: UnsafePointer<Float>, weights: LayerWeights) {
        let hidden = config.hiddenSize
        Kernels.linear(
            input, rows: tile.rows, inputWidth: hidden, inputStride: hidden, weight: weights[.query],
            outputWidth: config.queryKeyValueWidth, bias: weights.optional(.queryBias), tile.queryKeyValue,
            outputStride: tile.queryKeyValueStride)
    }

    /// Rotates the tile's queries and keys with the layer's rope: the key
    /// heads follow the query heads in each row, so one pass (one cos and
    /// sin table per row) rotates both.
    func rotate(_ tile: LayerTile) {
        tile.inverseFrequencies.withUnsafeBufferPointer { frequencies in
            // checked: a layer's frequencies are never empty (head_dim ≥ 2)
            let base = frequencies.baseAddress!
            Kernels.rope(
                tile.query, rows: tile.rows, stride: tile.queryKeyValueStride,
                headCount: config.headCount + config.keyValueHeadCount, headDimension: config.headDimension,
                positions: tile.positions, inverseFrequencies: base, cosSin: tile.scratch)
        }
    }

    /// `down(act(gate(x)) · up(x))` of the normalised rows `input` into
    /// `output`. Gate and up are one product (`feedForwardTensors` lists
    /// them next to each other): each scratch row is `[gate | up]`, and the
    /// gated units replace the gate half. Adds to `output` when `accumulating`.
    func feedForward(
        _ tile: LayerTile, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, weights: LayerWeights,
        activation: Activation, accumulating: Bool = false
    ) {
        let hidden = config.hiddenSize
        let inner = config.intermediateSize
        let gateUp = tile.scratch
        Kernels.linear(
            input, rows: tile.rows, inputWidth: hidden, inputStride: hidden, weight: weights[.gate],
            outputWidth: 2 * inner, bias: nil, gateUp, outputStride: 2 * inner)
        for row in 0..<tile.rows {
            let gate = gateUp + row * 2 * inner
            Kernels.gatedActivation(gate, gate + inner, count: inner, activation: activation)
        }
        Kernels.linear(
            gateUp, rows: tile.rows, inputWidth: inner, inputStride: 2 * inner, weight: weights[.down],
            outputWidth: hidden, bias: nil, output, outputStride: hidden, accumulating: accumulating)
    }

    /// Scratch floats a tile of `rows` rows needs beyond its two hidden-sized work rows.
    func scratchCount(rows: Int) -> Int {
        max(2 * rows * config.intermediateSize, config.headDimension)
    }
}

/// Which architecture a config names.
func architecture(for config: ModelConfig) -> any DecoderArchitecture {
    switch config.kind {
    // Qwen2 is Llama's layer; its q/k/v biases and untied head come from
    // the config and the checkpoint's tensors.
    case .llama, .qwen2: LlamaArchitecture(config: config)
    case .gemma3: Gemma3Architecture(config: config)
    }
}
