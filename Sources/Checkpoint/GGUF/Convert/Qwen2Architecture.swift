import Base

/// `qwen2` (Qwen2, Qwen2.5 and their coder models): transformers'
/// `Qwen2ForCausalLM`. The tensors are renamed only (transformers has no
/// tensor processor for it); the query, key and value projections have
/// biases, and the head size is the hidden size over the heads.
struct Qwen2Architecture: GGUFArchitecture {
    static let name = "qwen2"
    let hyperparameters: DecoderHyperparameters
    let modelClass = "Qwen2ForCausalLM"

    init(metadata: GGUFMetadataReader, tensorShapes: [String: [Int]]) throws(ConvertError) {
        hyperparameters = try DecoderHyperparameters(
            metadata, architecture: Self.name, tensorShapes: tensorShapes, headDimensionKey: nil)
    }

    var tensors: [ArchitectureTensor] {
        let size = hyperparameters.hiddenSize
        let queryRows = hyperparameters.headCount * hyperparameters.headDimension
        let keyValueRows = hyperparameters.keyValueHeadCount * hyperparameters.headDimension
        let layer =
            [("attn_norm.weight", "input_layernorm.weight", [size], TensorTransform.none)]
            + hyperparameters.projections()
            + [
                ("attn_q.bias", "self_attn.q_proj.bias", [queryRows], .none),
                ("attn_k.bias", "self_attn.k_proj.bias", [keyValueRows], .none),
                ("attn_v.bias", "self_attn.v_proj.bias", [keyValueRows], .none),
                ("ffn_norm.weight", "post_attention_layernorm.weight", [size], .none),
            ]
        return hyperparameters.tensors(layer: layer)
    }

    var config: [String: JSONOutput] {
        var config = hyperparameters.commonConfig(tokenDefaults: [
            "bos_token_id": .null, "eos_token_id": .null, "pad_token_id": .null,
        ])
        config["attention_dropout"] = .double(0)
        config["hidden_act"] = .string("silu")
        config["initializer_range"] = .double(0.02)
        config["layer_types"] = .array(
            Array(repeating: .string("full_attention"), count: hyperparameters.layerCount))
        // Qwen2Config's defaults: sliding-window attention off.
        config["max_window_layers"] = .integer(28)
        config["model_type"] = .string("qwen2")
        config["rope_parameters"] = sortedObject([
            "rope_theta": .double(hyperparameters.ropeBase ?? 10_000), "rope_type": .string("default"),
        ])
        config["sliding_window"] = .null
        config["use_sliding_window"] = .bool(false)
        return config
    }

    var warnings: [String] { hyperparameters.ropeScalingWarnings(architecture: Self.name) }
}
