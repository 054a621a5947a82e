import Base

/// What stops a model from being opened or run, with the file and the
/// place named (DESIGN.md, principle 7).
public enum ModelError: SmeltError, Equatable {
    /// A model folder without config.json (66).
    case missingConfig(folder: String)
    /// config.json is not valid JSON (65).
    case malformedConfig(file: String, offset: Int, problem: String)
    /// A config field is missing, of the wrong kind, or has a value Smelt
    /// does not support (65).
    case unsupportedConfig(file: String, field: String, problem: String)
    /// The weights lack a tensor the architecture needs (65).
    case missingTensor(model: String, tensor: String)
    /// A tensor's shape differs from what config.json implies (65).
    case shapeMismatch(model: String, tensor: String, expected: [Int], found: [Int])
    /// A token id outside the vocabulary (65).
    case tokenOutOfRange(id: Int, vocabularySize: Int)
    /// A record with fewer than two tokens: no next token to score (65).
    case emptyRecord(record: String, tokens: Int)
    /// A record longer than the context allowed (65).
    case recordTooLong(record: String, tokens: Int, limit: Int)
    /// A training record whose loss mask or targets do not match its tokens (65).
    case malformedTrainingRecord(record: Int, problem: String)
    /// An architecture the training pass does not run (65).
    case untrainableArchitecture(model: String, kind: ArchitectureKind)

    public var exitCode: ExitCode {
        switch self {
        case .missingConfig: .missingInput
        default: .dataError
        }
    }

    public var description: String {
        switch self {
        case .missingConfig(let folder): "\(folder) has no config.json"
        case .malformedConfig(let file, let offset, let problem): "\(file): byte \(offset): \(problem)"
        case .unsupportedConfig(let file, let field, let problem): "\(file): \"\(field)\" \(problem)"
        case .missingTensor(let model, let tensor): "\(model): the weights have no tensor \"\(tensor)\""
        case .shapeMismatch(let model, let tensor, let expected, let found):
            "\(model): tensor \"\(tensor)\" has shape \(found), but config.json implies \(expected)"
        case .tokenOutOfRange(let id, let size): "token id \(id) is outside the vocabulary of \(size) tokens"
        case .emptyRecord(let record, let tokens):
            "record \(record) has \(tokens) token\(tokens == 1 ? "" : "s"), so no next token to score"
        case .recordTooLong(let record, let tokens, let limit):
            "record \(record) has \(tokens) tokens, more than the limit of \(limit)"
        case .malformedTrainingRecord(let record, let problem): "training record \(record): \(problem)"
        case .untrainableArchitecture(let model, let kind):
            "\(model): training runs llama and qwen2 models, not \(kind.rawValue)"
        }
    }

    public var hint: String? {
        switch self {
        case .recordTooLong: "raise --max-tokens, or shorten the record"
        case .missingConfig: "give a Hugging Face model folder (config.json, weights, tokenizer) or a .gguf file"
        default: nil
        }
    }
}
