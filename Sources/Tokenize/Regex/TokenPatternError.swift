import Base

/// Why a pattern cannot be compiled: the character offset in the pattern (counted in Unicode scalars) and what is
/// wrong. Unsupported syntax is refused naming the construct, never ignored. A tokenizer reader wraps it in a
/// `TokenizerError` naming the file and the JSON path of the pattern.
public struct TokenPatternError: SmeltError, Equatable, Sendable {
    /// Where in the pattern, in Unicode scalars from its start.
    public let offset: Int
    /// What is wrong, in words.
    public let problem: String

    /// An error at `offset` saying `problem`.
    public init(offset: Int, problem: String) {
        self.offset = offset
        self.problem = problem
    }

    /// A pattern comes from a file: a refusal is a data error.
    public var exitCode: ExitCode { .dataError }

    /// The problem and where it is, for messages.
    public var description: String { "regular expression, at character \(offset): \(problem)" }
}
