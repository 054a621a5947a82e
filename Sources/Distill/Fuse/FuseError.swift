import Base

/// Why `smelt fuse` refuses its inputs.
public enum FuseError: SmeltError, Equatable, Sendable {
    /// Teacher caches that cannot be fused together (65).
    case incompatible(cache: String, reason: String)
    /// A cache whose tokenizer is not the given model's (65).
    case otherTokenizer(cache: String, model: String)
    /// A teacher given without its model, whose tokenizer is not the target's (64).
    case teacherModelNeeded(cache: String)

    public var exitCode: ExitCode {
        switch self {
        case .teacherModelNeeded: .usage
        default: .dataError
        }
    }

    public var description: String {
        switch self {
        case .incompatible(let cache, let reason): "\(cache) cannot be fused: \(reason)"
        case .otherTokenizer(let cache, let model):
            "\(cache) was made with another tokenizer or chat template than \(model)'s"
        case .teacherModelNeeded(let cache):
            "\(cache) was made by a model with another tokenizer than the target's, and no model was given for it"
        }
    }

    public var hint: String? {
        switch self {
        case .otherTokenizer:
            "give the model (and chat template) the cache was made with: --teacher CACHE=MODEL"
        case .teacherModelNeeded: "name the teacher's model, whose tokenizer fusion needs: --teacher CACHE=MODEL"
        case .incompatible: nil
        }
    }
}
