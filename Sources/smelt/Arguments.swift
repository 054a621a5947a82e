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
    /// Options that may be given several times, each value kept in order.
    var repeatedOptions: Set<String> = []
}

/// A parsed command line: `--key value`, `--key=value`, flags, and
/// positionals; `--` ends options (STYLE.md, rule 12).
struct ParsedArguments {
    var positionals: [String] = []
    var flags: Set<String> = []
    var options: [String: String] = [:]
    var repeatedOptions: [String: [String]] = [:]
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
            } else if spec.repeatedOptions.contains(name) {
                guard let value = inlineValue ?? remaining.popFirst() else {
                    throw UsageError(message: "--\(name) needs a value")
                }
                repeatedOptions[name, default: []].append(value)
            } else if spec.options.contains(name) {
                guard let value = inlineValue ?? remaining.popFirst() else {
                    throw UsageError(message: "--\(name) needs a value")
                }
                options[name] = value
            } else {
                let known = (spec.flags.union(spec.options).union(spec.repeatedOptions)).sorted().map { "--" + $0 }.joined(separator: ", ")
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

/// Values of the options several commands share, each checked with a
/// usage error that names the option.
enum OptionValues {
    /// A size with K M G T (and KiB…, powers of 1024) or KB MB GB TB
    /// (powers of 1000); a bare number is bytes.
    static func size(_ text: String, option: String, minimum: UInt64) throws(UsageError) -> UInt64 {
        let units: [(String, UInt64)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
            ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
            ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("B", 1),
        ]
        var number = Substring(text)
        var multiplier: UInt64 = 1
        if let unit = units.first(where: { text.hasSuffix($0.0) }) {
            number = text.dropLast(unit.0.count)
            multiplier = unit.1
        }
        guard let value = UInt64(number),
            case let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier), !overflow
        else {
            throw UsageError(
                message: "--\(option) must be a size like 256M, 1G, 5GB or a number of bytes, not '\(text)'")
        }
        guard bytes >= minimum else {
            throw UsageError(message: "--\(option) \(text) is below the smallest allowed, \(Formatting.bytes(minimum))")
        }
        return bytes
    }

    /// `--threads`: a whole number from 1 to 1024.
    /// `--threads`, else every online CPU.
    static func threadCount(_ arguments: ParsedArguments) throws(UsageError) -> Int {
        try arguments.options["threads"].map { (text) throws(UsageError) in try threads(text) } ?? defaultThreadCount
    }

    /// `--memory-budget` in bytes, else the default budget.
    static func memoryBudgetBytes(_ arguments: ParsedArguments) throws(UsageError) -> UInt64 {
        try arguments.options["memory-budget"].map { (text) throws(UsageError) in
            try size(text, option: "memory-budget", minimum: ByteBudget.minimumLimitBytes)
        } ?? ByteBudget.defaultLimitBytes
    }

    /// A whole number within `range`.
    static func count(_ text: String, option: String, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(
                message: "--\(option) must be a whole number from \(range.lowerBound) to \(range.upperBound), "
                    + "not '\(text)'")
        }
        return value
    }

    static func threads(_ text: String) throws(UsageError) -> Int {
        guard let threads = Int(text), threads >= 1, threads <= 1024 else {
            throw UsageError(message: "--threads must be a whole number from 1 to 1024, not '\(text)'")
        }
        return threads
    }
}
