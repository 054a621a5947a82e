import Base

/// `gemma3` (Gemma 3's text models): transformers' `Gemma3ForCausalLM`
/// with a `gemma3_text` config. llama.cpp stores every RMSNorm weight as
/// `1 + w`; the conversion subtracts the one again (`Gemma2TensorProcessor`).
/// Every sixth layer attends globally, the others through a sliding
/// window, with their own rope bases: the file's for the global layers,
/// 10,000 for the local ones (Gemma3TextConfig's defaults, which the file
/// does not state).
struct Gemma3Architecture: GGUFArchitecture {
    static let name = "gemma3"
    /// Gemma3TextConfig's `_sliding_window_pattern` and local rope base.
    static let slidingWindowPattern = 6
    static let localRopeBase = 10_000.0
    let hyperparameters: DecoderHyperparameters
    let slidingWindow: Int
    let modelClass = "Gemma3ForCausalLM"

    init(metadata: GGUFMetadataReader, tensorShapes: [String: [Int]]) throws(ConvertError) {
        hyperparameters = try DecoderHyperparameters(
            metadata, architecture: Self.name, tensorShapes: tensorShapes, headDimensionKey: "attention.key_length",
            defaultHeadDimension: 256)
        slidingWindow = try metadata.optionalPositive(Self.name + ".attention.sliding_window") ?? 4096
    }

    var tensors: [ArchitectureTensor] {
        let size = hyperparameters.hiddenSize
        let head = hyperparameters.headDimension
        let layer =
            [("attn_norm.weight", "input_layernorm.weight", [size], TensorTransform.subtractOne)]
            + hyperparameters.projections()
            + [
                ("attn_q_norm.weight", "self_attn.q_norm.weight", [head], .subtractOne),
                ("attn_k_norm.weight", "self_attn.k_norm.weight", [head], .subtractOne),
                ("post_attention_norm.weight", "post_attention_layernorm.weight", [size], .subtractOne),
                ("ffn_norm.weight", "pre_feedforward_layernorm.weight", [size], .subtractOne),
                ("post_ffw_norm.weight", "post_feedforward_layernorm.weight", [size], .subtractOne),
            ]
        return hyperparameters.tensors(layer: layer, finalNormTransform: .subtractOne)
    }

    /// Layer i attends globally when i + 1 is a multiple of the pattern.
    var layerTypes: [String] {
        (0..<hyperparameters.layerCount).map {
            ($0 + 1) % Self.slidingWindowPattern == 0 ? "full_attention" : "sliding_attention"
        }
    }

    var config: [String: JSONOutput] {
        var config = hyperparameters.commonConfig(tokenDefaults: [
            "bos_token_id": .integer(2), "eos_token_id": .integer(1), "pad_token_id": .integer(0),
        ])
        config["_sliding_window_pattern"] = .integer(Int64(Self.slidingWindowPattern))
        config["attention_bias"] = .bool(false)
        config["attention_dropout"] = .double(0)
        config["attn_logit_softcapping"] = .null
        config["final_logit_softcapping"] = .null
        config["head_dim"] = .integer(Int64(hyperparameters.headDimension))
        config["hidden_activation"] = .string("gelu_pytorch_tanh")
        config["initializer_range"] = .double(0.02)
        config["layer_types"] = .array(layerTypes.map(JSONOutput.string))
        config["model_type"] = .string("gemma3_text")
        // Gemma3TextConfig's default; transformers' GGUF loader does not derive it.
        config["query_pre_attn_scalar"] = .integer(256)
        config["rope_parameters"] = sortedObject([
            "full_attention": sortedObject([
                "rope_theta": .double(hyperparameters.ropeBase ?? 1_000_000), "rope_type": .string("default"),
            ]),
            "sliding_attention": sortedObject([
                "rope_theta": .double(Self.localRopeBase), "rope_type": .string("default"),
            ]),
        ])
        config["sliding_window"] = .integer(Int64(slidingWindow))
        config["use_bidirectional_attention"] = .bool(false)
        return config
    }

    var warnings: [String] { hyperparameters.ropeScalingWarnings(architecture: Self.name) }
}
