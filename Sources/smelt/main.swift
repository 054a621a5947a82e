import Base
import Checkpoint
import Merge
import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

#if SMELT_REQUIRES_X86_64_V3
// Checkpoint and Merge were built for x86-64-v3 (Package.swift): say so
// instead of dying of an illegal instruction on an older CPU.
smelt_require_x86_64_v3(1)
#endif

// Only dispatch here (STYLE.md): each command lives in its own file.
installMappedFileFaultHandler(exitCode: ExitCode.ioError.rawValue)

let commands: [String: (spec: ArgumentSpec, help: String, run: (ParsedArguments) throws -> ExitCode)] = [
    "inspect": (InspectCommand.spec, Help.inspect, InspectCommand.run),
    "hash": (HashCommand.spec, Help.hash, HashCommand.run),
    "verify": (VerifyCommand.spec, Help.verify, VerifyCommand.run),
    "merge": (MergeCommand.spec, Help.merge, MergeCommand.run),
]

@MainActor
func runCommandLine(_ arguments: [String]) -> ExitCode {
    guard let name = arguments.first else {
        writeToStandardError("error: missing command\n\n" + Help.main)
        return .usage
    }
    if name == "--version" {
        writeToStandardOutput("smelt \(smeltVersion)\n")
        return .success
    }
    if name == "-h" || name == "--help" || name == "help" {
        writeToStandardOutput(Help.main + "\n")
        return .success
    }
    guard let command = commands[name] else {
        writeToStandardError("error: unknown command '\(name)'\nusage: smelt <command> [options]; commands: \(commands.keys.sorted().joined(separator: ", ")); see 'smelt --help'")
        return .usage
    }
    do {
        let parsed = try ParsedArguments(arguments.dropFirst(), spec: command.spec)
        if parsed.wantsHelp {
            writeToStandardOutput(command.help + "\n")
            return .success
        }
        return try command.run(parsed)
    } catch {
        let (code, message, hint) = exitStatus(for: error)
        writeToStandardError("error: \(message)")
        if let hint { writeToStandardError("hint: \(hint)") }
        if code == .usage { writeToStandardError("usage: see 'smelt \(name) --help'") }
        return code
    }
}

exit(runCommandLine(Array(CommandLine.arguments.dropFirst())).rawValue)
