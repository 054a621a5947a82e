import Base
import Model
import Tokenize

/// DATA tokenised for the student, in file order, and the targets cache
/// matched with it record by record (by ordinal and line, the token ids
/// checked), each record's targets read when its step comes.
public struct DistillData: Sendable {
    /// One record: where it is in DATA and its tokens.
    public struct Record: Sendable {
        public let name: String
        public let tokens: RecordTokens
    }

    public let records: [Record]
    public let cache: LogitCache?

    /// Reads and tokenises every record of `dataPath`; checks `cache`
    /// against the records and the student's `vocabularySize`.
    public init(
        dataPath: String, encoder: RecordEncoder, vocabularySize: Int, maxTokens: Int, cache: LogitCache?
    ) throws {
        if let cache { try Self.check(cache, vocabularySize: vocabularySize, dataPath: dataPath) }
        var lines = try JSONLines(path: dataPath)
        var records: [Record] = []
        let workspace = TokenizerWorkspace()
        while true {
            let batch = try lines.nextBatch(count: 256)
            if batch.isEmpty { break }
            for line in batch {
                let record = try line.bytes.withUnsafeBytes {
                    try DataRecord(json: $0, file: dataPath, line: line.line)
                }
                let encoding = try encoder.encode(record, workspace: workspace)
                let tokens = try RecordTokens(record, encoding, maxTokens: maxTokens)
                let name = "\(record.id.rendered()) (line \(record.line))"
                try cache?.checkEntry(
                    ordinal: records.count, line: record.line, tokens: tokens.ids.count, record: name)
                records.append(Record(name: name, tokens: tokens))
            }
        }
        guard !records.isEmpty else { throw DistillError.noRecords(data: dataPath) }
        try cache?.checkRecordCount(records.count)
        self.records = records
        self.cache = cache
    }

    /// Refuses a cache the student cannot take its targets from, or made over other data.
    public static func check(_ cache: LogitCache, vocabularySize: Int, dataPath: String) throws {
        let (dataSize, dataDigest) = try RangeDigester.digest(ofFile: dataPath)
        try cache.checkTargets(over: (dataPath.lastPathComponent, dataSize, dataDigest))
        let identity = cache.manifest.identity
        if identity.vocabularySize != vocabularySize {
            throw DistillError.unusableCache(
                cache: cache.path,
                reason: "its vocabulary has \(identity.vocabularySize) tokens, the student's \(vocabularySize)")
        }
    }

    /// The training record of ordinal `ordinal`, with the cache's targets
    /// at each position when there is a cache: its top-K, or its sampled
    /// draws weighted as `SampledTargets` says.
    public func trainingRecord(_ ordinal: Int) throws -> TrainingRecord {
        let record = records[ordinal]
        let ids = record.tokens.ids.map { Int32($0) }
        guard let cache else { return TrainingRecord(ids: ids, lossMask: record.tokens.lossMask) }
        switch try cache.targets(at: ordinal, expecting: ids, record: record.name) {
        case .topK(let cached):
            let k = cached.topK
            let positions = ids.count - 1
            return TrainingRecord(
                ids: ids, lossMask: record.tokens.lossMask,
                targetIDs: (0..<positions).map { Array(cached.topIDs[$0 * k..<($0 + 1) * k]) },
                targetLogProbabilities: (0..<positions).map {
                    Array(cached.topLogProbabilities[$0 * k..<($0 + 1) * k])
                })
        case .sampled(let sampled):
            return SampledTargets.trainingRecord(
                sampled, lossMask: record.tokens.lossMask,
                temperature: cache.manifest.identity.sampling?.temperature ?? 1)
        }
    }
}
