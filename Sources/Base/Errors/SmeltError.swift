/// sysexits codes (DESIGN.md, "Exit codes").
public enum ExitCode: Int32, Sendable {
    case success = 0
    case verificationFailed = 1
    case usage = 64
    case dataError = 65
    case missingInput = 66
    case cannotCreateOutput = 73
    case ioError = 74
    case interrupted = 130
    case terminated = 143
}

/// An error a person reads: every layer's error types adopt it, so the
/// command line maps any of them to an exit code and one line on stderr
/// without knowing the layer (DESIGN.md, principle 7).
public protocol SmeltError: Error, CustomStringConvertible {
    /// The sysexits code a command ends with when this error stops it.
    var exitCode: ExitCode { get }
    /// One line naming the file, the place and what is wrong.
    var message: String { get }
    /// What to do about it, when there is something to say.
    var hint: String? { get }
}

extension SmeltError {
    public var message: String { description }
    public var hint: String? { nil }
}
