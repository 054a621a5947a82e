import Compute

/// Low-rank adapters on a decoder's projections (LoRA, Hu et al. 2021,
/// §4.1): `y = W x (+ b) + (alpha / rank) · B (A x)`, A `[rank × in]`,
/// B `[out × rank]`, under PEFT's names without `base_model.model.`
/// (`model.layers.{l}.self_attn.q_proj.lora_A.weight`).
public struct LoRAAdapters: Sendable {
    /// The projections adapted, by their names inside a layer.
    public static let modules = [
        "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj",
        "mlp.up_proj", "mlp.down_proj",
    ]

    public let rank: Int
    public let alpha: Double
    /// Every A and B, by name.
    public internal(set) var parameters: [String: [Float]]

    /// `alpha / rank`.
    public var scale: Float { Float(alpha / Double(rank)) }

    /// Each adapted weight's name, its shape and its adapters' names, for `config`'s layers.
    static func adapted(_ config: ModelConfig) -> [(weight: String, shape: [Int], a: String, b: String)] {
        let shapes = Dictionary(
            uniqueKeysWithValues: TrainableModel.parameterShapes(config).map { ($0.name, $0.shape) })
        return (0..<config.layerCount).flatMap { layer in
            modules.map { module in
                let prefix = "model.layers.\(layer).\(module)."
                // checked: every module listed is a weight of every llama and qwen2 layer
                return (
                    prefix + "weight", shapes[prefix + "weight"]!, prefix + "lora_A.weight", prefix + "lora_B.weight"
                )
            }
        }
    }

    /// Takes every adapter `config`'s layers need from `parameters`,
    /// checking each one's element count.
    public init(
        config: ModelConfig, rank: Int, alpha: Double, parameters: [String: [Float]], model: String = "adapters"
    ) throws(ModelError) {
        self.rank = rank
        self.alpha = alpha
        var kept: [String: [Float]] = [:]
        for (_, shape, a, b) in Self.adapted(config) {
            for (name, expected) in [(a, [rank, shape[1]]), (b, [shape[0], rank])] {
                guard let values = parameters[name] else { throw .missingTensor(model: model, tensor: name) }
                guard values.count == expected.reduce(1, *) else {
                    throw .shapeMismatch(model: model, tensor: name, expected: expected, found: [values.count])
                }
                kept[name] = values
            }
        }
        self.parameters = kept
    }
}
