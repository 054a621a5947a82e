import Checkpoint

/// Why a merge cannot run, with the place to look. Each case maps to one
/// sysexits code in the command layer (DESIGN.md, "Exit codes").
public enum MergeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The recipe is malformed or asks for something impossible (65).
    case recipe(file: String, mark: YAMLMark?, problem: String)
    /// The recipe asks for something Smelt does not do yet (65).
    case unsupported(file: String, mark: YAMLMark?, feature: String)
    /// A model named by the recipe cannot be found (66).
    case missingModel(file: String, mark: YAMLMark?, reference: String, looked: [String])
    /// The inputs do not fit together: shapes, dtypes, missing tensors (65).
    case incompatibleInputs(problem: String)
    /// The output folder holds a different finished merge (73).
    case outputHoldsDifferentMerge(path: String, problem: String)
    /// Not enough free disk for the output (74).
    case insufficientDisk(path: String, neededBytes: UInt64, availableBytes: UInt64)

    public var description: String {
        switch self {
        case .recipe(let file, let mark, let problem):
            return Self.place(file, mark) + problem
        case .unsupported(let file, let mark, let feature):
            return Self.place(file, mark) + feature + " is not supported yet"
        case .missingModel(let file, let mark, let reference, let looked):
            let places = looked.isEmpty ? "" : " (looked in: " + looked.joined(separator: ", ") + ")"
            return Self.place(file, mark) + "model '\(reference)' not found: no such folder or file, and no local Hugging Face cache entry" + places
        case .incompatibleInputs(let problem):
            return problem
        case .outputHoldsDifferentMerge(let path, let problem):
            return "\(path) already holds a different merge (\(problem)); choose another output folder, or pass --force to replace it"
        case .insufficientDisk(let path, let needed, let available):
            return "\(path): not enough free disk: the output needs \(needed) bytes, \(available) are free"
        }
    }

    private static func place(_ file: String, _ mark: YAMLMark?) -> String {
        guard let mark else { return file + ": " }
        return "\(file):\(mark.line):\(mark.column): "
    }
}
