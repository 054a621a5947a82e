import Base
import Model

/// `--save-adapter`: the LoRA adapters alone, as PEFT saves them
/// (`save_pretrained` of a `LoraConfig` model): `adapter_model.safetensors`
/// with every A and B under `base_model.model.` + the module's name
/// (`base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`, A
/// `[r × in]`, B `[out × r]`) and `adapter_config.json`.
public enum PEFTAdapter {
    public static let weightsFileName = "adapter_model.safetensors"
    public static let configFileName = "adapter_config.json"
    /// What PEFT's model wrapper puts before the base model's names.
    public static let namePrefix = "base_model.model."

    /// The adapters of `config`'s model at `rank`, in the order of
    /// `LoRAAdapters.names`: the name trained, the name PEFT saves, the shape.
    public static func tensors(_ config: ModelConfig, rank: Int) -> [(name: String, savedName: String, shape: [Int])] {
        let weights = Dictionary(
            uniqueKeysWithValues: TrainableModel.parameterShapes(config).map { ($0.name, $0.shape) })
        return LoRAAdapters.names(config).map { name in
            let isA = name.hasSuffix(".lora_A.weight")
            // ".lora_A.weight" and ".lora_B.weight" are as long: cut either, add ".weight".
            let weight = String(name.dropLast(".lora_A.weight".count)) + ".weight"
            // checked: LoRAAdapters names adapters of the config's own weights, each [out × in]
            let shape = weights[weight]!
            return (name, namePrefix + name, isA ? [rank, shape[1]] : [shape[0], rank])
        }
    }

    /// `adapter_config.json`: LoRA of rank `rank` and `alpha` on the
    /// projections `LoRAAdapters.modules` names, over `baseModel` (the
    /// student as given), for causal language modelling, without dropout
    /// or trained biases.
    public static func config(rank: Int, alpha: Double, baseModel: String) -> [UInt8] {
        let modules = LoRAAdapters.modules.map { JSONOutput.string(String($0.split(separator: ".").last ?? "")) }
        let json = JSONOutput.object([
            ("peft_type", .string("LORA")), ("task_type", .string("CAUSAL_LM")),
            ("base_model_name_or_path", .string(baseModel)), ("r", .integer(Int64(rank))),
            ("lora_alpha", alpha == alpha.rounded() && abs(alpha) < 1e15 ? .integer(Int64(alpha)) : .double(alpha)),
            ("lora_dropout", .double(0)), ("target_modules", .array(modules)), ("bias", .string("none")),
            ("fan_in_fan_out", .bool(false)), ("inference_mode", .bool(true)),
        ])
        return Array((json.rendered(pretty: true) + "\n").utf8)
    }
}
