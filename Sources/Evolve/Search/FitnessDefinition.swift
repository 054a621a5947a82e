import Base
import Merge

/// The `fitness` section of a search file: what a candidate merge is scored
/// on, in place of mergekit-evolve's lm-eval `tasks`.
public struct FitnessDefinition: Sendable, Equatable {
    /// How a candidate is scored.
    public enum Metric: String, Sendable {
        /// Mean negative log-likelihood over the loss positions; lower is better.
        case meanNLL = "mean_nll"
    }

    /// One JSONL data file (DESIGN.md, "Data records") and its weight in
    /// the fitness.
    public struct DataSet: Sendable, Equatable {
        /// An absolute path.
        public let path: String
        /// Above 0 and finite.
        public let weight: Double

        public init(path: String, weight: Double) {
            self.path = path
            self.weight = weight
        }
    }

    public let metric: Metric
    /// At most this many tokens scored per candidate (records in file
    /// order); nil scores every record.
    public let maxTokens: Int?
    /// Never empty.
    public let data: [DataSet]

    public init(metric: Metric, maxTokens: Int?, data: [DataSet]) {
        self.metric = metric
        self.maxTokens = maxTokens
        self.data = data
    }
}

extension FitnessDefinition {
    /// Reads the `fitness` section; `metric` defaults to mean_nll, each data
    /// set's `weight` to 1, and a data item may be a bare path.
    init(_ node: YAMLNode, reader: SearchReader) throws(EvolveError) {
        let entries = try reader.mapping(node, what: "'fitness'", keys: ["metric", "max_tokens", "data"])
        let find = { (key: String) in entries.first { $0.key == key } }
        var metric = Metric.meanNLL
        if let entry = find("metric") {
            let name = try reader.string(entry.value, what: "metric")
            let names = [Metric.meanNLL.rawValue]
            guard let known = Metric(rawValue: name) else {
                throw reader.error(
                    entry.value.mark,
                    "unknown metric '\(name)'" + suggestionSuffix(name, among: names) + "; the metrics are "
                        + names.joined(separator: ", "))
            }
            metric = known
        }
        let maxTokens = try find("max_tokens").map { (entry) throws(EvolveError) in
            try reader.wholeNumber(entry.value, what: "max_tokens", minimum: 1)
        }
        guard let dataEntry = find("data") else { throw reader.error(node.mark, "'fitness' has no 'data'") }
        let items = try reader.sequence(dataEntry.value, what: "data")
        guard !items.isEmpty else { throw reader.error(dataEntry.value.mark, "'data' is empty") }
        let data = try items.map { (item) throws(EvolveError) in try Self.dataSet(item, reader: reader) }
        self.init(metric: metric, maxTokens: maxTokens, data: data)
    }

    private static func dataSet(_ node: YAMLNode, reader: SearchReader) throws(EvolveError) -> DataSet {
        if node.mapping == nil { return DataSet(path: try reader.path(node, what: "path"), weight: 1) }
        let entries = try reader.mapping(node, what: "a data entry", keys: ["path", "weight"])
        guard let pathEntry = entries.first(where: { $0.key == "path" }) else {
            throw reader.error(node.mark, "a data entry needs 'path'")
        }
        let weight = try entries.first { $0.key == "weight" }.map { (entry) throws(EvolveError) in
            try reader.positiveNumber(entry.value, what: "weight")
        }
        return DataSet(path: try reader.path(pathEntry.value, what: "path"), weight: weight ?? 1)
    }
}
