import Base

/// `llama` (Llama 2 and 3, SmolLM, Mistral's older files): transformers'
/// `LlamaForCausalLM`. llama.cpp permutes the rows of the query and key
/// projections per head for its rotary layout; the conversion undoes it
/// (`LlamaTensorProcessor`). `rope.dimension_count` states the head size.
struct LlamaArchitecture: GGUFArchitecture {
    static let name = "llama"
    let hyperparameters: DecoderHyperparameters
    let modelClass = "LlamaForCausalLM"

    init(metadata: GGUFMetadataReader, tensorShapes: [String: [Int]]) throws(ConvertError) {
        hyperparameters = try DecoderHyperparameters(
            metadata, architecture: Self.name, tensorShapes: tensorShapes, headDimensionKey: "rope.dimension_count")
        guard hyperparameters.headDimension % 2 == 0 else {
            throw .invalidMetadata(
                file: metadata.file, key: "llama.rope.dimension_count",
                problem: "is \(hyperparameters.headDimension); the Q/K row permutation needs an even head size")
        }
    }

    var tensors: [ArchitectureTensor] {
        let size = hyperparameters.hiddenSize
        let layer =
            [("attn_norm.weight", "input_layernorm.weight", [size], TensorTransform.none)]
            + hyperparameters.projections(
                queryTransform: .unpermuteHeads(headCount: hyperparameters.headCount),
                keyTransform: .unpermuteHeads(headCount: hyperparameters.keyValueHeadCount))
            + [("ffn_norm.weight", "post_attention_layernorm.weight", [size], .none)]
        return hyperparameters.tensors(layer: layer)
    }

    /// Llama 3.1's rope frequency factors: transformers has no parameter
    /// for them (its GGUF loader drops them too).
    var ignoredTensors: [String: String] {
        ["rope_freqs.weight": "transformers' Llama has no rope frequency factors; its GGUF loader drops them too"]
    }

    var config: [String: JSONOutput] {
        var config = hyperparameters.commonConfig(tokenDefaults: [
            "bos_token_id": .integer(1), "eos_token_id": .integer(2),
        ])
        config["attention_bias"] = .bool(false)
        config["attention_dropout"] = .double(0)
        config["head_dim"] = .integer(Int64(hyperparameters.headDimension))
        config["hidden_act"] = .string("silu")
        config["initializer_range"] = .double(0.02)
        config["mlp_bias"] = .bool(false)
        config["model_type"] = .string("llama")
        config["pretraining_tp"] = .integer(1)
        config["rope_parameters"] = sortedObject([
            "rope_theta": .double(hyperparameters.ropeBase ?? 10_000), "rope_type": .string("default"),
        ])
        return config
    }

    var warnings: [String] { hyperparameters.ropeScalingWarnings(architecture: Self.name) }
}
