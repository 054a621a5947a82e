import Base

/// Why `smelt fuse` refuses its inputs.
public enum FuseError: SmeltError, Equatable, Sendable {
    /// A teacher cache was made over another data file (sysexits 65).
    case otherData(cache: String, reason: String)
    /// A teacher cache lacks a record of the data, or has more (65).
    case missingRecord(cache: String, record: String)
    /// A teacher cache's token ids are not its tokenizer's for a record (65).
    case tokensDiffer(cache: String, record: String, detail: String)
    /// Teacher caches that cannot be fused together, or a sampled cache (65).
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
        case .otherData(let cache, let reason): "\(cache) was made over other data: \(reason)"
        case .missingRecord(let cache, let record): "\(cache) has no record \(record) of the data"
        case .tokensDiffer(let cache, let record, let detail):
            "\(cache): record \(record) holds other token ids than its teacher's tokenizer gives (\(detail))"
        case .incompatible(let cache, let reason): "\(cache) cannot be fused: \(reason)"
        case .otherTokenizer(let cache, let model):
            "\(cache) was made with another tokenizer or chat template than \(model)'s"
        case .teacherModelNeeded(let cache):
            "\(cache) was made by a model with another tokenizer than the target's, and no model was given for it"
        }
    }

    public var hint: String? {
        switch self {
        case .otherData, .missingRecord: "make every teacher cache with `smelt logits` over the same DATA file"
        case .tokensDiffer, .otherTokenizer:
            "give the model (and chat template) the cache was made with: --teacher CACHE=MODEL"
        case .teacherModelNeeded: "name the teacher's model, whose tokenizer fusion needs: --teacher CACHE=MODEL"
        case .incompatible: nil
        }
    }
}
