import Base

/// Why a logit-cache record cannot be encoded or decoded. A record's bytes
/// come from a cache file, so a payload that does not decode is bad data
/// (sysexits 65), and every case says which field is wrong and how.
public enum LogitCacheError: SmeltError, Equatable, Sendable {
    public var exitCode: ExitCode { .dataError }

    /// The payload ends before `field` is complete.
    case truncated(field: String)
    /// Bytes are left after the last field: `count` of them.
    case trailingBytes(count: Int)
    /// A field read from the payload is out of its range or contradicts
    /// another; `problem` says how.
    case malformed(field: String, problem: String)
    /// The scores handed to the encoder break a rule of the format
    /// (lengths that do not agree, an id outside the vocabulary, a value
    /// that is not a finite number).
    case unencodable(field: String, problem: String)

    public var description: String {
        switch self {
        case .truncated(let field):
            "logit cache record: the payload ends inside \(field)"
        case .trailingBytes(let count):
            "logit cache record: \(count) unexpected byte\(count == 1 ? "" : "s") after the last field"
        case .malformed(let field, let problem):
            "logit cache record: \(field): \(problem)"
        case .unencodable(let field, let problem):
            "logit cache record cannot be encoded: \(field): \(problem)"
        }
    }
}
