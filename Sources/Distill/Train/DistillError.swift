import Base

/// Why `smelt distill` refuses its inputs or its output.
public enum DistillError: SmeltError, Equatable, Sendable {
    /// The targets cache was made over another data file (sysexits 65).
    case otherData(cache: String, reason: String)
    /// The cache lacks a record of the data, or has more (65).
    case missingRecord(cache: String, record: String)
    /// The cache's token ids for a record are not the student's tokenisation of it (65).
    case tokensDiffer(cache: String, record: String, detail: String)
    /// A cache the student cannot train on: another vocabulary, a shard, K = 0 (65).
    case unusableCache(cache: String, reason: String)
    /// A cache of sampled draws, whose loss is not there yet (65).
    case sampledCache(cache: String)
    /// DATA holds no record (65).
    case noRecords(data: String)
    /// A student model this command cannot train (65).
    case unsupportedStudent(path: String, reason: String)
    /// OUT already exists (73).
    case outputExists(path: String)
    /// The staged run is another command line's (73).
    case resumeRefused(stagingPath: String, reason: String)
    /// The staged checkpoint cannot be read back (73).
    case damagedCheckpoint(path: String, problem: String)

    public var exitCode: ExitCode {
        switch self {
        case .outputExists, .resumeRefused, .damagedCheckpoint: .cannotCreateOutput
        default: .dataError
        }
    }

    public var description: String {
        switch self {
        case .otherData(let cache, let reason): "\(cache) was made over other data: \(reason)"
        case .missingRecord(let cache, let record): "\(cache) has no record \(record) of the data"
        case .tokensDiffer(let cache, let record, let detail):
            "\(cache): record \(record) holds other token ids than the student's tokenizer gives (\(detail))"
        case .unusableCache(let cache, let reason): "\(cache) cannot be trained on: \(reason)"
        case .sampledCache(let cache):
            "\(cache) holds sampled draws (smelt logits --sample); training on sampled targets is not supported yet"
        case .noRecords(let data): "\(data) holds no record"
        case .unsupportedStudent(let path, let reason): "\(path) cannot be trained: \(reason)"
        case .outputExists(let path): "\(path) already exists"
        case .resumeRefused(let stagingPath, let reason):
            "\(stagingPath) holds an interrupted run of another command line: \(reason)"
        case .damagedCheckpoint(let path, let problem): "\(path): the staged checkpoint is damaged: \(problem)"
        }
    }

    public var hint: String? {
        switch self {
        case .otherData, .missingRecord, .tokensDiffer:
            "make the cache with `smelt logits` or `smelt fuse` over the same DATA, with the student's tokenizer "
                + "and --chat-template"
        case .unusableCache: "give a top-K cache in the student's vocabulary (`smelt fuse` maps teachers into it)"
        case .sampledCache: "make a top-K cache: `smelt logits` without --sample"
        case .outputExists: "choose another OUT, or remove it"
        case .resumeRefused, .damagedCheckpoint:
            "rerun with the same options to resume, or add --restart to discard the staged run"
        case .noRecords, .unsupportedStudent: nil
        }
    }
}
