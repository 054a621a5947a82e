import Base
import Merge

/// Why an evolutionary search cannot run, with the place to look. Each case
/// maps to one sysexits code in the command layer (DESIGN.md, "Exit codes").
public enum EvolveError: SmeltError, Sendable, Equatable {
    /// The search file is malformed or asks for something impossible (65).
    case search(file: String, mark: YAMLMark?, problem: String)
    /// The search file asks for something smelt evolve does not do yet (65).
    case unsupported(file: String, mark: YAMLMark?, feature: String)
    /// The search file cannot be read (66 when missing, else as the system error says).
    case unreadableSearch(file: String, cause: SystemError)
    /// `layer_granularity` does not divide the models' layer count (65).
    case layerGranularity(granularity: Int, layerCount: Int)
    /// A genome value vector of the wrong length (65).
    case genomeLength(expected: Int, found: Int)
    /// A genome value that is NaN or infinite (65).
    case nonFiniteGenomeValue(name: String, index: Int, value: Double)

    public var exitCode: ExitCode {
        switch self {
        case .unreadableSearch(_, let cause): cause.exitCode
        case .search, .unsupported, .layerGranularity, .genomeLength, .nonFiniteGenomeValue: .dataError
        }
    }

    public var description: String {
        switch self {
        case .search(let file, let mark, let problem):
            return Self.place(file, mark) + problem
        case .unsupported(let file, let mark, let feature):
            return Self.place(file, mark) + feature + " is not supported by smelt evolve yet"
        case .unreadableSearch(_, let cause):
            return "cannot read the search file: \(cause.message)"
        case .layerGranularity(let granularity, let layerCount):
            return "layer_granularity \(granularity) does not divide the models' \(layerCount) layers;"
                + " choose a divisor of \(layerCount), or 0 for one group"
        case .genomeLength(let expected, let found):
            return "a genome of this search has \(expected) values, not \(found)"
        case .nonFiniteGenomeValue(let name, let index, let value):
            return "genome value \(index) (\(name)) is \(value); every value must be finite"
        }
    }

    private static func place(_ file: String, _ mark: YAMLMark?) -> String {
        guard let mark else { return file + ": " }
        return "\(file):\(mark.line):\(mark.column): "
    }
}
