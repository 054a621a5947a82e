import Base

/// Why a chat template cannot be compiled or rendered: the file it came
/// from, the line and column (1-based, in Unicode scalars) and the problem,
/// on one line a person can act on.
public struct ChatTemplateError: SmeltError, Equatable {
    /// The template's origin, as the caller named it (a file, a GGUF key).
    public let origin: String
    /// The 1-based line of the construct at fault.
    public let line: Int
    /// The 1-based column of the construct at fault.
    public let column: Int
    /// What is wrong, in words.
    public let problem: String

    /// An error at a place in a template.
    public init(origin: String, line: Int, column: Int, problem: String) {
        self.origin = origin
        self.line = line
        self.column = column
        self.problem = problem
    }

    /// A template is input data: sysexits' data error.
    public var exitCode: ExitCode { .dataError }

    /// `origin:line:column: problem`.
    public var description: String { "\(origin):\(line):\(column): \(problem)" }
}

/// A place in a template's source: line and column, both 1-based.
struct SourcePosition: Sendable, Equatable {
    let line: Int
    let column: Int
}

/// A problem found while rendering, before it is tied to the template's origin.
struct TemplateFailure: Error {
    let position: SourcePosition
    let problem: String

    func error(origin: String) -> ChatTemplateError {
        ChatTemplateError(origin: origin, line: position.line, column: position.column, problem: problem)
    }
}
