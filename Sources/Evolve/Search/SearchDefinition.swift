import Base
import Merge

/// A search file (`smelt evolve SEARCH.yml OUT`): mergekit-evolve's
/// `genome` section unchanged, plus a `fitness` section in place of
/// lm-eval's `tasks`. Relative paths are read against the file's folder.
public struct SearchDefinition: Sendable {
    /// The search file as given, for messages.
    public let file: String
    public let genome: GenomeDefinition
    public let fitness: FitnessDefinition
    /// mergekit-evolve's `random_init`: start from uniform [0, 1) values
    /// drawn from the run's seed (`Genome.initialValues(randomSeed:)`)
    /// instead of the neutral genome.
    public let randomInit: Bool

    /// The largest search file read.
    public static let maximumByteCount = YAMLDocument.maximumByteCount

    static let topLevelKeys = ["genome", "fitness", "random_init"]

    /// mergekit-evolve's lm-eval settings, each refused with what to do instead.
    static let lmEvalRefusals: [String: String] = {
        let unused = { (key: String) in
            "'\(key)' is an lm-eval setting; smelt evolve scores the 'fitness' data and does not use it"
        }
        return [
            "tasks": "smelt evolve scores a 'fitness' section instead of lm-eval tasks",
            "limit": "'limit' is an lm-eval setting; cap the tokens scored with 'fitness: {max_tokens: N}' instead",
            "num_fewshot": unused("num_fewshot"),
            "shuffle": unused("shuffle"),
            "apply_chat_template": unused("apply_chat_template")
                + " (records with 'messages' are rendered with the model's chat template)",
            "fewshot_as_multiturn": unused("fewshot_as_multiturn"),
        ]
    }()

    /// Reads a search file from YAML text. Every error names the file,
    /// line and column.
    public init(yaml bytes: [UInt8], file: String) throws(EvolveError) {
        let root: YAMLNode
        do { root = try YAMLDocument.parse(bytes, file: file) } catch {
            throw .search(file: file, mark: error.mark, problem: error.problem)
        }
        var currentDirectory = "/"
        if !file.hasPrefix("/") {
            do { currentDirectory = try FileSystem.resolvedPath(".") } catch {
                throw .unreadableSearch(file: file, cause: error)
            }
        }
        let reader = SearchReader(file: file, currentDirectory: currentDirectory)
        let entries = try reader.mapping(
            root, what: "the search file", keys: Self.topLevelKeys, refusals: Self.lmEvalRefusals)
        let find = { (key: String) in entries.first { $0.key == key } }
        guard let genomeEntry = find("genome") else { throw reader.error(root.mark, "the search file has no 'genome'") }
        guard let fitnessEntry = find("fitness") else {
            throw reader.error(root.mark, "the search file has no 'fitness' (the data candidates are scored on)")
        }
        self.file = file
        genome = try GenomeDefinition(genomeEntry.value, reader: reader)
        fitness = try FitnessDefinition(fitnessEntry.value, reader: reader)
        randomInit =
            try find("random_init").map { (entry) throws(EvolveError) in
                try reader.bool(entry.value, what: "random_init")
            } ?? false
    }

    /// Reads the search file at `path` (at most `maximumByteCount` bytes).
    public init(contentsOf path: String) throws(EvolveError) {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readSmallFile(path, limit: UInt64(Self.maximumByteCount)) } catch {
            throw .unreadableSearch(file: path, cause: error)
        }
        try self.init(yaml: bytes, file: path)
    }
}
