import Base
import Checkpoint

/// Settings of a run that shape the output bytes (part of the plan's
/// identity, DESIGN.md "Journal").
public struct PlanSettings: Sendable {
    public var seed: UInt64 = 0
    public var shardSizeLimit: UInt64 = 5_000_000_000
    public init(seed: UInt64 = 0, shardSizeLimit: UInt64 = 5_000_000_000) {
        self.seed = seed
        self.shardSizeLimit = shardSizeLimit
    }
}

/// Everything a merge will do, fixed before any byte is written (DESIGN.md,
/// "Data flow of a merge"): the output tensors with their methods, sources,
/// parameters and dtypes, the extra files, and the plan's digest.
public struct MergePlan: Sendable {
    public let recipe: Recipe
    public let method: any MergeMethod
    public let settings: PlanSettings
    /// Distinct input models, in order of first mention.
    public let models: [ResolvedModel]
    public let baseModelIndex: Int?
    public let tensors: [PlannedTensor]
    /// The output `config.json`, when the base (or first) model has one.
    public let config: [UInt8]?
    /// Files copied from the base (or first) model: generation config and tokenizer.
    public let copiedFiles: [(name: String, path: String)]
    public let warnings: [String]

    /// Output tensors as the writer lays them out.
    public var outputTensors: [OutputTensor] {
        tensors.map { OutputTensor(name: $0.name, dtype: $0.outputDType, shape: $0.shape) }
    }

    /// Bytes of tensor data in the output.
    public var outputTensorBytes: UInt64 { tensors.reduce(0) { $0 + $1.byteCount } }

    /// Files of the reference model copied into the output, when present.
    static let copiedFileNames = [
        "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json", "chat_template.jinja", "vocab.txt",
    ]
}
