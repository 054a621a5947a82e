import Base

/// What the metadata of a dense decoder states (llama.cpp's
/// `<architecture>.*` and `tokenizer.ggml.*` keys), read once for the
/// architectures that share the layout, and the tensors and config keys
/// they all have.
struct DecoderHyperparameters: Sendable {
    let vocabSize: Int
    let hiddenSize: Int
    let layerCount: Int
    let headCount: Int
    let keyValueHeadCount: Int
    let headDimension: Int
    let feedForwardSize: Int
    let contextLength: Int
    let rmsNormEpsilon: Double
    let ropeBase: Double?
    /// No `output.weight`: the head is the embedding (transformers'
    /// `tie_word_embeddings`).
    let isTied: Bool
    /// `tokenizer.ggml.*_token_id` as transformers maps them into the
    /// config, those present.
    let tokenIDs: [String: Int]
    let modelName: String?
    let hasRopeScaling: Bool

    /// `headDimensionKey` is the key that states the head size, if the
    /// architecture has one; otherwise it is the hidden size over the heads.
    init(
        _ reader: GGUFMetadataReader, architecture: String, tensorShapes: [String: [Int]], headDimensionKey: String?,
        defaultHeadDimension: Int? = nil
    ) throws(ConvertError) {
        func key(_ name: String) -> String { architecture + "." + name }
        hiddenSize = try reader.positive(key("embedding_length"))
        layerCount = try reader.positive(key("block_count"))
        headCount = try reader.positive(key("attention.head_count"))
        keyValueHeadCount = try reader.optionalPositive(key("attention.head_count_kv")) ?? headCount
        feedForwardSize = try reader.positive(key("feed_forward_length"))
        contextLength = try reader.positive(key("context_length"))
        rmsNormEpsilon = try reader.number(key("attention.layer_norm_rms_epsilon"))
        ropeBase = try reader.optionalNumber(key("rope.freq_base"))
        if let headDimensionKey, let stated = try reader.optionalPositive(key(headDimensionKey)) {
            headDimension = stated
        } else if let defaultHeadDimension {
            headDimension = defaultHeadDimension
        } else {
            guard hiddenSize % headCount == 0 else {
                throw .invalidMetadata(
                    file: reader.file, key: key("attention.head_count"),
                    problem: "is \(headCount), which does not divide the hidden size \(hiddenSize)")
            }
            headDimension = hiddenSize / headCount
        }
        guard headCount % keyValueHeadCount == 0 else {
            throw .invalidMetadata(
                file: reader.file, key: key("attention.head_count_kv"),
                problem: "is \(keyValueHeadCount), which does not divide the head count \(headCount)")
        }
        // transformers: the architecture's vocab_size, else the vocabulary's length.
        let embeddingRows = tensorShapes["token_embd.weight"]?.first
        if let stated = try reader.optionalPositive(key("vocab_size")) {
            vocabSize = stated
        } else if let tokens = try reader.optionalArrayCount("tokenizer.ggml.tokens") {
            vocabSize = tokens
        } else if let embeddingRows {
            vocabSize = embeddingRows
        } else {
            throw .missingTensor(file: reader.file, tensor: "token_embd.weight")
        }
        isTied = tensorShapes["output.weight"] == nil
        var tokenIDs: [String: Int] = [:]
        for (ggufKey, configKey) in Self.tokenIDKeys {
            if let id = try reader.optionalInteger("tokenizer.ggml." + ggufKey) { tokenIDs[configKey] = id }
        }
        self.tokenIDs = tokenIDs
        modelName = try reader.optionalString("general.name")
        hasRopeScaling = reader.metadata[key("rope.scaling.type")] != nil
    }

    /// transformers' `GGUF_CONFIG_MAPPING["tokenizer"]`.
    static let tokenIDKeys = [
        ("bos_token_id", "bos_token_id"), ("eos_token_id", "eos_token_id"), ("unknown_token_id", "unk_token_id"),
        ("padding_token_id", "pad_token_id"),
    ]

    /// The embedding, the final norm and the head (unless tied), then
    /// `layer` for every layer: GGUF `blk.N.<gguf leaf>` becomes
    /// `model.layers.N.<leaf>`.
    func tensors(
        layer: [(ggufLeaf: String, leaf: String, shape: [Int], transform: TensorTransform)],
        finalNormTransform: TensorTransform = .none
    ) -> [ArchitectureTensor] {
        var tensors = [
            ArchitectureTensor(
                ggufName: "token_embd.weight", name: "model.embed_tokens.weight", shape: [vocabSize, hiddenSize]),
            ArchitectureTensor(
                ggufName: "output_norm.weight", name: "model.norm.weight", shape: [hiddenSize],
                transform: finalNormTransform),
        ]
        if !isTied {
            tensors.append(
                ArchitectureTensor(ggufName: "output.weight", name: "lm_head.weight", shape: [vocabSize, hiddenSize]))
        }
        for index in 0..<layerCount {
            for entry in layer {
                tensors.append(
                    ArchitectureTensor(
                        ggufName: "blk.\(index).\(entry.ggufLeaf)", name: "model.layers.\(index).\(entry.leaf)",
                        shape: entry.shape, transform: entry.transform))
            }
        }
        return tensors
    }

    /// The attention and MLP projections every architecture here has.
    func projections(
        queryTransform: TensorTransform = .none, keyTransform: TensorTransform = .none
    ) -> [(ggufLeaf: String, leaf: String, shape: [Int], transform: TensorTransform)] {
        let queryRows = headCount * headDimension
        let keyValueRows = keyValueHeadCount * headDimension
        return [
            ("attn_q.weight", "self_attn.q_proj.weight", [queryRows, hiddenSize], queryTransform),
            ("attn_k.weight", "self_attn.k_proj.weight", [keyValueRows, hiddenSize], keyTransform),
            ("attn_v.weight", "self_attn.v_proj.weight", [keyValueRows, hiddenSize], .none),
            ("attn_output.weight", "self_attn.o_proj.weight", [hiddenSize, queryRows], .none),
            ("ffn_gate.weight", "mlp.gate_proj.weight", [feedForwardSize, hiddenSize], .none),
            ("ffn_up.weight", "mlp.up_proj.weight", [feedForwardSize, hiddenSize], .none),
            ("ffn_down.weight", "mlp.down_proj.weight", [hiddenSize, feedForwardSize], .none),
        ]
    }

    /// The config keys every architecture here writes from the metadata;
    /// `tokenDefaults` are the class's token ids for those absent.
    func commonConfig(tokenDefaults: [String: JSONOutput]) -> [String: JSONOutput] {
        var config: [String: JSONOutput] = [
            "hidden_size": .integer(Int64(hiddenSize)),
            "intermediate_size": .integer(Int64(feedForwardSize)),
            "max_position_embeddings": .integer(Int64(contextLength)),
            "num_attention_heads": .integer(Int64(headCount)),
            "num_hidden_layers": .integer(Int64(layerCount)),
            "num_key_value_heads": .integer(Int64(keyValueHeadCount)),
            "rms_norm_eps": .double(rmsNormEpsilon),
            "tie_word_embeddings": .bool(isTied),
            "use_cache": .bool(true),
            "vocab_size": .integer(Int64(vocabSize)),
        ]
        if let modelName { config["_model_name_or_path"] = .string(modelName) }
        for (key, value) in tokenDefaults { config[key] = value }
        for (key, id) in tokenIDs { config[key] = .integer(Int64(id)) }
        return config
    }

    /// Said when the file states rope scaling, which transformers' GGUF
    /// loader does not carry into the config either.
    func ropeScalingWarnings(architecture: String) -> [String] {
        hasRopeScaling
            ? [
                "\(architecture).rope.scaling.* is not carried into config.json (transformers' GGUF loader ignores it too)"
            ] : []
    }
}
