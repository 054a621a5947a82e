import Base

/// One `smelt` command: its name, the lines `smelt --help` lists it with,
/// its options, its `--help` text and what it does. A new command is one
/// file conforming to this and one entry in `main.swift`'s list.
protocol Command {
    /// The word after `smelt`.
    static var name: String { get }
    /// Its entry in `smelt --help`, indented and aligned like the others.
    static var overview: String { get }
    /// The flags, options and positional arguments it takes.
    static var spec: ArgumentSpec { get }
    /// The text of `smelt NAME --help`.
    static var help: String { get }
    /// Runs the command; errors map to exit codes through `SmeltError`.
    static func run(_ arguments: ParsedArguments) throws -> ExitCode
}
