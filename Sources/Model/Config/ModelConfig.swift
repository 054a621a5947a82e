import Base

/// The architectures Smelt runs (`model_type` in config.json).
public enum ArchitectureKind: String, Sendable, CaseIterable {
    case llama
    case qwen2
    case gemma3 = "gemma3_text"
}

/// What config.json says about a decoder, checked: every field the forward
/// pass depends on is read here, and values it does not implement are
/// refused naming the field.
public struct ModelConfig: Sendable, Equatable {
    public let kind: ArchitectureKind
    public let vocabularySize: Int
    public let hiddenSize: Int
    public let intermediateSize: Int
    public let layerCount: Int
    public let headCount: Int
    public let keyValueHeadCount: Int
    public let headDimension: Int
    public let rmsNormEpsilon: Float
    /// `max_position_embeddings`: the default `--max-tokens`.
    public let contextLength: Int
    public let isTiedEmbedding: Bool
    /// q, k and v projections carry biases (Qwen2 always; Llama with `attention_bias`).
    public let hasAttentionBias: Bool
    /// Rope of full-attention layers.
    public let globalRope: RopeSettings
    /// Rope of sliding-window layers (Gemma 3's `rope_local_base_freq`).
    public let localRope: RopeSettings
    /// Sliding window in tokens of each layer, nil for full attention.
    public let layerWindows: [Int?]
    /// Multiplies q·k: `head_dim^-1/2`, or `query_pre_attn_scalar^-1/2` for Gemma 3.
    public let attentionScale: Float

    /// Reads config.json's bytes.
    public init(json bytes: [UInt8], file: String) throws(ModelError) {
        let node: JSONNode
        do {
            node = try JSONScanner.parse(bytes)
        } catch {
            throw .malformedConfig(file: file, offset: error.offset, problem: error.message)
        }
        try self.init(ConfigObject(file: file, value: node.value))
    }

    init(_ config: ConfigObject) throws(ModelError) {
        let type = try config.optionalString("model_type")
        guard let type, let kind = ArchitectureKind(rawValue: type) else {
            throw config.refuse(
                "model_type",
                type.map { "is \"\($0)\"; Smelt runs \"llama\", \"qwen2\" and \"gemma3_text\"" } ?? "is missing")
        }
        self.kind = kind
        vocabularySize = try config.positive("vocab_size")
        hiddenSize = try config.positive("hidden_size")
        intermediateSize = try config.positive("intermediate_size")
        layerCount = try config.positive("num_hidden_layers")
        headCount = try config.positive("num_attention_heads")
        keyValueHeadCount = try config.optionalInteger("num_key_value_heads") ?? headCount
        guard keyValueHeadCount > 0, headCount % keyValueHeadCount == 0 else {
            throw config.refuse("num_key_value_heads", "is \(keyValueHeadCount), which does not divide \(headCount)")
        }
        if let stated = try config.optionalInteger("head_dim") {
            headDimension = stated
        } else if kind == .gemma3 {
            headDimension = 256
        } else {
            guard hiddenSize % headCount == 0 else {
                throw config.refuse("num_attention_heads", "does not divide hidden_size \(hiddenSize)")
            }
            headDimension = hiddenSize / headCount
        }
        guard headDimension > 0, headDimension % 2 == 0 else {
            throw config.refuse("head_dim", "is \(headDimension), not a positive even number")
        }
        rmsNormEpsilon = Float(try config.optionalNumber("rms_norm_eps") ?? 1e-6)
        contextLength = try config.optionalInteger("max_position_embeddings") ?? 2048
        isTiedEmbedding = try config.optionalBool("tie_word_embeddings") ?? (kind != .qwen2 ? true : false)
        if try config.optionalBool("mlp_bias") == true { throw config.refuse("mlp_bias", "is true; not supported") }
        switch kind {
        case .llama: hasAttentionBias = try config.optionalBool("attention_bias") ?? false
        case .qwen2: hasAttentionBias = true
        case .gemma3:
            hasAttentionBias = try config.optionalBool("attention_bias") ?? false
            if hasAttentionBias { throw config.refuse("attention_bias", "is true; not supported for Gemma 3") }
        }
        try Self.checkActivation(config, kind: kind)
        for key in ["attn_logit_softcapping", "final_logit_softcapping"] where !config.isAbsent(key) {
            throw config.refuse(key, "is set; logit soft-capping is not supported")
        }
        (globalRope, localRope) = try Self.ropes(config, kind: kind)
        layerWindows = try Self.windows(config, kind: kind, layerCount: layerCount)
        if kind == .gemma3 {
            let scalar = try config.optionalNumber("query_pre_attn_scalar") ?? 256
            guard scalar > 0 else { throw config.refuse("query_pre_attn_scalar", "must be positive") }
            attentionScale = Float(1 / scalar.squareRoot())
        } else {
            attentionScale = Float(1 / Double(headDimension).squareRoot())
        }
    }

    private static func checkActivation(_ config: ConfigObject, kind: ArchitectureKind) throws(ModelError) {
        let expected = kind == .gemma3 ? "gelu_pytorch_tanh" : "silu"
        let key = kind == .gemma3 && config.fields["hidden_activation"] != nil ? "hidden_activation" : "hidden_act"
        try config.require(key, toBe: expected)
    }

    private static func ropes(
        _ config: ConfigObject, kind: ArchitectureKind
    ) throws(ModelError) -> (RopeSettings, RopeSettings) {
        let legacyBase = try config.optionalNumber("rope_theta")
        let legacyScaling = try config.optionalObject("rope_scaling")
        let parameters = try config.optionalObject("rope_parameters")
        if kind == .gemma3 {
            // transformers 5: one rope per attention kind; older: rope_theta
            // + rope_scaling for global layers, rope_local_base_freq for local.
            if let parameters, parameters.fields["full_attention"] != nil {
                let global = try RopeSettings.read(
                    parameters.optionalObject("full_attention"), fallbackBase: legacyBase,
                    baseField: "rope_parameters.full_attention.rope_theta")
                let local = try RopeSettings.read(
                    parameters.optionalObject("sliding_attention"),
                    fallbackBase: try config.optionalNumber("rope_local_base_freq") ?? 10_000,
                    baseField: "rope_parameters.sliding_attention.rope_theta")
                return (global, local)
            }
            let global = try RopeSettings.read(
                parameters ?? legacyScaling, fallbackBase: legacyBase ?? 1_000_000,
                baseField: "rope_theta")
            let local = RopeSettings(base: try config.optionalNumber("rope_local_base_freq") ?? 10_000)
            return (global, local)
        }
        let rope = try RopeSettings.read(
            parameters ?? legacyScaling, fallbackBase: legacyBase ?? 10_000,
            baseField: "rope_theta")
        return (rope, rope)
    }

    private static func windows(
        _ config: ConfigObject, kind: ArchitectureKind, layerCount: Int
    ) throws(ModelError) -> [Int?] {
        switch kind {
        case .llama:
            return Array(repeating: nil, count: layerCount)
        case .qwen2:
            if try config.optionalBool("use_sliding_window") == true {
                throw config.refuse("use_sliding_window", "is true; Qwen2 sliding windows are not supported")
            }
            return Array(repeating: nil, count: layerCount)
        case .gemma3:
            let window = try config.optionalInteger("sliding_window") ?? 4096
            guard window > 0 else { throw config.refuse("sliding_window", "must be positive") }
            let types: [String]
            if let stated = try config.optionalStrings("layer_types") {
                guard stated.count == layerCount else {
                    throw config.refuse("layer_types", "has \(stated.count) entries for \(layerCount) layers")
                }
                types = stated
            } else {
                let stated = try config.optionalInteger("sliding_window_pattern")
                let legacy = try config.optionalInteger("_sliding_window_pattern")
                let pattern = stated ?? legacy ?? 6
                types = (0..<layerCount).map { ($0 + 1) % max(1, pattern) == 0 ? "full_attention" : "sliding_attention" }
            }
            var windows: [Int?] = []
            for type in types {
                switch type {
                case "full_attention": windows.append(nil)
                case "sliding_attention": windows.append(window)
                default: throw config.refuse("layer_types", "holds \"\(type)\"; expected full or sliding attention")
                }
            }
            return windows
        }
    }

    /// Query features per token (`num_attention_heads · head_dim`).
    public var queryWidth: Int { headCount * headDimension }
    /// Key (and value) features per token.
    public var keyValueWidth: Int { keyValueHeadCount * headDimension }
    /// Query, key and value features per token, side by side.
    public var queryKeyValueWidth: Int { queryWidth + 2 * keyValueWidth }
}
