import Base

/// One tensor of a converted model: where it is in the GGUF, what
/// transformers calls it, its row-major shape as the metadata implies it,
/// and how its values are transformed.
struct ArchitectureTensor: Sendable, Equatable {
    let ggufName: String
    let name: String
    let shape: [Int]
    let transform: TensorTransform

    init(ggufName: String, name: String, shape: [Int], transform: TensorTransform = .none) {
        self.ggufName = ggufName
        self.name = name
        self.shape = shape
        self.transform = transform
    }
}

/// A llama.cpp architecture (`general.architecture`) that converts to a
/// transformers model as transformers' own GGUF loader builds it
/// (`modeling_gguf_pytorch_utils.load_gguf_checkpoint`,
/// `integrations/ggml.py`'s `GGUF_CONFIG_MAPPING`, the class's config
/// defaults). A new architecture is one file conforming to this and one
/// entry in `GGUFArchitectures.all`.
protocol GGUFArchitecture: Sendable {
    /// `general.architecture`.
    static var name: String { get }
    /// Reads the hyperparameters from `metadata`; `tensorShapes` are the
    /// file's tensors (row-major), for what only they tell (a tied head).
    init(metadata: GGUFMetadataReader, tensorShapes: [String: [Int]]) throws(ConvertError)
    /// Every tensor transformers loads, each under its GGUF name.
    var tensors: [ArchitectureTensor] { get }
    /// GGUF tensors transformers does not load, with why: skipped with a
    /// warning instead of refused.
    var ignoredTensors: [String: String] { get }
    /// `config.json` as transformers writes it for this model, without
    /// the keys the conversion adds (`architectures`, `dtype`).
    var config: [String: JSONOutput] { get }
    /// transformers' model class, for `architectures`.
    var modelClass: String { get }
    /// What the conversion cannot carry over, in words (rope scaling
    /// transformers ignores, ...).
    var warnings: [String] { get }
}

/// The architectures Smelt converts.
enum GGUFArchitectures {
    static let all: [any GGUFArchitecture.Type] = [
        LlamaArchitecture.self, Qwen2Architecture.self, Gemma3Architecture.self,
    ]

    /// Their names, sorted, for messages.
    static var names: [String] { all.map { $0.name }.sorted() }

    static func named(_ name: String) -> (any GGUFArchitecture.Type)? { all.first { $0.name == name } }
}

extension GGUFArchitecture {
    var ignoredTensors: [String: String] { [:] }
}

/// A JSON object with its keys sorted, as Python's `json.dumps(...,
/// sort_keys=True)` writes transformers' configs.
func sortedObject(_ entries: [String: JSONOutput]) -> JSONOutput {
    .object(entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
}
