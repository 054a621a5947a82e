import Base

/// Why a pattern cannot be compiled: the character offset in the pattern (counted in Unicode scalars) and what is
/// wrong. Unsupported syntax is refused naming the construct, never ignored.
public struct TokenPatternError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where in the pattern, in Unicode scalars from its start.
    public let offset: Int
    /// What is wrong, in words.
    public let problem: String

    /// An error at `offset` saying `problem`.
    public init(offset: Int, problem: String) {
        self.offset = offset
        self.problem = problem
    }

    /// The problem and where it is, for messages.
    public var description: String { "regular expression, at character \(offset): \(problem)" }
}
