import Base
import Checkpoint
import Merge
import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

// Only dispatch here (STYLE.md): each command lives in its own file.
installMappedFileFaultHandler(exitCode: ExitCode.ioError.rawValue)

let commands: [any Command.Type] = [
    InspectCommand.self, HashCommand.self, VerifyCommand.self, MergeCommand.self, ConvertCommand.self, TokenizeCommand.self,
    ScoreCommand.self,
    LogitsCommand.self,
    CacheCommand.self,
    EvolveCommand.self,
    FuseCommand.self,
    DistillCommand.self,
]

@MainActor
func runCommandLine(_ arguments: [String]) -> ExitCode {
    guard let name = arguments.first else {
        writeToStandardError("error: missing command\n\n" + Help.main(commands: commands))
        return .usage
    }
    if name == "--version" {
        writeToStandardOutput("smelt \(smeltVersion)\n")
        return .success
    }
    if name == "-h" || name == "--help" || name == "help" {
        writeToStandardOutput(Help.main(commands: commands) + "\n")
        return .success
    }
    guard let command = commands.first(where: { $0.name == name }) else {
        let names = commands.map { $0.name }.sorted().joined(separator: ", ")
        writeToStandardError(
            "error: unknown command '\(TerminalText.escaped(name))'\n"
                + "usage: smelt <command> [options]; commands: \(names); see 'smelt --help'")
        return .usage
    }
    return execute(command, arguments: arguments.dropFirst())
}

/// Parses `arguments` for `command` and runs it, or prints its help; an
/// error becomes its message, hint and exit code. Message and hint are one
/// line each and may quote names, paths and text from files, so each is
/// escaped whole (TerminalText).
func execute<C: Command>(_ command: C.Type, arguments: ArraySlice<String>) -> ExitCode {
    do {
        let parsed = try ParsedArguments(arguments, spec: command.spec)
        if parsed.wantsHelp {
            writeToStandardOutput(command.help + "\n")
            return .success
        }
        return try command.run(parsed)
    } catch {
        let (code, message, hint) = exitStatus(for: error)
        writeToStandardError("error: " + TerminalText.escaped(message))
        if let hint { writeToStandardError("hint: " + TerminalText.escaped(hint)) }
        if code == .usage { writeToStandardError("usage: see 'smelt \(command.name) --help'") }
        return code
    }
}

exit(runCommandLine(Array(CommandLine.arguments.dropFirst())).rawValue)
