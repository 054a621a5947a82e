import Base
import Merge

/// The search file's schema, one YAML node at a time: typed reads that
/// throw `EvolveError.search` at the node's place.
struct SearchReader {
    let file: String
    /// The folder relative paths are read against, absolute.
    let folder: String

    init(file: String, currentDirectory: String) {
        self.file = file
        let parent = file.deletingLastPathComponent
        folder = parent.hasPrefix("/") ? parent : Self.joined(currentDirectory, parent)
    }

    func error(_ mark: YAMLMark?, _ problem: String) -> EvolveError {
        .search(file: file, mark: mark, problem: problem)
    }

    /// The entries of a mapping, refusing keys outside `keys` (with a
    /// "did you mean" hint) and any key `refusals` explains.
    func mapping(
        _ node: YAMLNode, what: String, keys: [String], refusals: [String: String] = [:]
    ) throws(EvolveError) -> [YAMLMappingEntry] {
        guard let entries = node.mapping else {
            throw error(node.mark, "\(what) must be a mapping, not \(node.describeKind())")
        }
        for entry in entries where !keys.contains(entry.key) {
            if let reason = refusals[entry.key] { throw error(entry.keyMark, reason) }
            throw error(
                entry.keyMark, "unknown key '\(entry.key)' in \(what)" + suggestionSuffix(entry.key, among: keys))
        }
        return entries
    }

    func sequence(_ node: YAMLNode, what: String) throws(EvolveError) -> [YAMLNode] {
        guard let items = node.sequence else {
            throw error(node.mark, "'\(what)' must be a list, not \(node.describeKind())")
        }
        return items
    }

    func string(_ node: YAMLNode, what: String) throws(EvolveError) -> String {
        guard node.mapping == nil, node.sequence == nil, !node.isNull, let text = node.stringValue else {
            throw error(node.mark, "'\(what)' must be a string, not \(node.describeKind())")
        }
        guard !text.isEmpty else { throw error(node.mark, "'\(what)' is empty") }
        return text
    }

    func bool(_ node: YAMLNode, what: String) throws(EvolveError) -> Bool {
        guard let flag = node.boolValue else {
            throw error(node.mark, "'\(what)' must be true or false, not \(node.describeKind())")
        }
        return flag
    }

    /// A whole number at least `minimum`.
    func wholeNumber(_ node: YAMLNode, what: String, minimum: Int) throws(EvolveError) -> Int {
        guard let number = node.numberValue, number == number.rounded(), abs(number) < 1e15 else {
            throw error(node.mark, "'\(what)' must be a whole number, not \(node.describeKind())")
        }
        guard Int(number) >= minimum else {
            throw error(node.mark, "'\(what)' is \(Int(number)); it must be at least \(minimum)")
        }
        return Int(number)
    }

    /// A finite number above zero.
    func positiveNumber(_ node: YAMLNode, what: String) throws(EvolveError) -> Double {
        guard let number = node.numberValue else {
            throw error(node.mark, "'\(what)' must be a number, not \(node.describeKind())")
        }
        guard number.isFinite, number > 0 else {
            throw error(node.mark, "'\(what)' is \(number); it must be a finite number above 0")
        }
        return number
    }

    /// A path, made absolute against the search file's folder.
    func path(_ node: YAMLNode, what: String) throws(EvolveError) -> String {
        let text = try string(node, what: what)
        return text.hasPrefix("/") ? Self.normalized(text) : Self.joined(folder, text)
    }

    /// `base/relative` without `.` components, doubled or trailing slashes.
    static func joined(_ base: String, _ relative: String) -> String {
        normalized(base + "/" + relative)
    }

    private static func normalized(_ path: String) -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + components.joined(separator: "/")
    }
}
