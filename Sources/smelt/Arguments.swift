import Base
import Checkpoint

/// A command line that does not fit the command: exit 64 with a usage hint.
struct UsageError: SmeltError {
    var exitCode: ExitCode { .usage }
    var description: String { message }
    let message: String
}

/// What a command accepts: flags (no value) and options (one value each).
struct ArgumentSpec {
    var flags: Set<String>
    var options: Set<String> = []
    var positionalCount: ClosedRange<Int>
    var positionalNames: String
}

/// A parsed command line: `--key value`, `--key=value`, flags, and
/// positionals; `--` ends options (STYLE.md, rule 12).
struct ParsedArguments {
    var positionals: [String] = []
    var flags: Set<String> = []
    var options: [String: String] = [:]
    var wantsHelp = false

    init(_ arguments: ArraySlice<String>, spec: ArgumentSpec) throws(UsageError) {
        var remaining = arguments[...]
        var optionsEnded = false
        while let argument = remaining.popFirst() {
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            if argument == "-h" || argument == "--help" { wantsHelp = true; continue }
            guard argument.hasPrefix("--") else { throw UsageError(message: "unknown option '\(argument)'") }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if spec.flags.contains(name) {
                guard inlineValue == nil else { throw UsageError(message: "--\(name) takes no value") }
                flags.insert(name)
            } else if spec.options.contains(name) {
                guard let value = inlineValue ?? remaining.popFirst() else {
                    throw UsageError(message: "--\(name) needs a value")
                }
                options[name] = value
            } else {
                let known = (spec.flags.union(spec.options)).sorted().map { "--" + $0 }.joined(separator: ", ")
                throw UsageError(message: "unknown option '--\(name)'" + (known.isEmpty ? "" : " (known: \(known))"))
            }
        }
        if wantsHelp { return }
        guard spec.positionalCount.contains(positionals.count) else {
            throw UsageError(
                message: positionals.count < spec.positionalCount.lowerBound
                    ? "missing \(spec.positionalNames)"
                    : "unexpected argument '\(positionals[spec.positionalCount.upperBound])'")
        }
    }
}
