import Base

/// The records of a JSONL data file, read and encoded a batch at a time on
/// worker threads, in file order: what `smelt tokenize --input` and
/// `smelt score` and `smelt evolve` share. A bad line ends the batch after the records before
/// it, so they can still be printed before the error.
public struct RecordBatches {
    public let path: String
    public let encoder: RecordEncoder
    public let addSpecialTokens: Bool
    public let threads: Int
    private var lines: JSONLines
    /// Lines read, encoded and handed out at a time: bounds memory whatever
    /// the file's size, and keeps every thread busy.
    public static let batchSize = 2_048

    public init(path: String, encoder: RecordEncoder, addSpecialTokens: Bool, threads: Int) throws {
        self.path = path
        self.encoder = encoder
        self.addSpecialTokens = addSpecialTokens
        self.threads = threads
        lines = try JSONLines(path: path)
    }

    /// The next batch: each record with its encoding (and the line's bytes,
    /// for progress), up to the first bad line, and that line's error.
    public mutating func next() throws -> (records: [(DataRecord, RecordEncoding, bytes: Int)], error: (any Error)?)? {
        let batch = try lines.nextBatch(count: Self.batchSize)
        if batch.isEmpty { return nil }
        let path = self.path
        let encoder = self.encoder
        let addSpecialTokens = self.addSpecialTokens
        let results = concurrentMap(count: batch.count, threads: threads, makeState: { TokenizerWorkspace() }) {
            index, workspace in
            Result { () throws -> (DataRecord, RecordEncoding, bytes: Int) in
                let line = batch[index]
                let record = try line.bytes.withUnsafeBytes { raw throws in
                    try DataRecord(json: raw, file: path, line: line.line)
                }
                let encoding = try encoder.encode(record, addSpecialTokens: addSpecialTokens, workspace: workspace)
                return (record, encoding, line.bytes.count + 1)
            }
        }
        var records: [(DataRecord, RecordEncoding, bytes: Int)] = []
        for result in results {
            switch result {
            case .success(let record): records.append(record)
            case .failure(let error): return (records, error)
            }
        }
        return (records, nil)
    }
}
