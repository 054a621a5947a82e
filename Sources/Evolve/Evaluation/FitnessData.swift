import Base
import Model
import Tokenize

/// The fitness data of a search, read and tokenized once: each data set's
/// records (DESIGN.md, "Data records") with its weight. Every candidate is
/// scored on the same records.
public struct FitnessData: Sendable {
    public struct DataSet: Sendable {
        public let path: String
        public let weight: Double
        public let records: [RecordTokens]
        public var tokenCount: Int { records.reduce(0) { $0 + $1.ids.count } }
        public var lossCount: Int { records.reduce(0) { $0 + $1.lossCount } }
    }

    public let sets: [DataSet]
    public var tokenCount: Int { sets.reduce(0) { $0 + $1.tokenCount } }
    public var recordCount: Int { sets.reduce(0) { $0 + $1.records.count } }

    /// Reads every data set with `encoder` (records of more than
    /// `maxRecordTokens` are refused, as `smelt score` refuses them). With
    /// `maxTokens`, records are taken from the sets in turn (the first of
    /// each set, then the second of each, ..., each set in file order) while
    /// the total stays within it, so every set keeps a share.
    public init(
        sets: [(path: String, weight: Double)], maxTokens: Int?, encoder: RecordEncoder, maxRecordTokens: Int,
        threads: Int
    ) throws {
        var read: [[RecordTokens]] = []
        for set in sets {
            var records: [RecordTokens] = []
            var batches = try RecordBatches(path: set.path, encoder: encoder, addSpecialTokens: true, threads: threads)
            while let (batch, error) = try batches.next() {
                for (record, encoding, _) in batch {
                    records.append(try RecordTokens(record, encoding, maxTokens: maxRecordTokens))
                }
                if let error { throw error }
            }
            guard !records.isEmpty else { throw EvolveRunError.emptyFitnessData(path: set.path) }
            read.append(records)
        }
        if let maxTokens { read = Self.capped(read, maxTokens: maxTokens) }
        for (set, records) in zip(sets, read) where records.isEmpty {
            throw EvolveRunError.fitnessCapLeavesNoRecords(path: set.path, maxTokens: maxTokens ?? 0)
        }
        self.sets = zip(sets, read).map { DataSet(path: $0.path, weight: $0.weight, records: $1) }
    }

    /// The records kept under a cap of `maxTokens`, taken from the sets in turn.
    static func capped(_ sets: [[RecordTokens]], maxTokens: Int) -> [[RecordTokens]] {
        var kept = sets.map { _ in [RecordTokens]() }
        var total = 0
        let longest = sets.map(\.count).max() ?? 0
        for position in 0..<longest {
            for set in sets.indices where position < sets[set].count {
                let count = sets[set][position].ids.count
                guard total + count <= maxTokens else { return kept }
                total += count
                kept[set].append(sets[set][position])
            }
        }
        return kept
    }
}
