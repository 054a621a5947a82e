import Base

/// Why `smelt distill` refuses its inputs or its output.
public enum DistillError: SmeltError, Equatable, Sendable {
    /// A cache the student cannot train on: another vocabulary (65).
    case unusableCache(cache: String, reason: String)
    /// DATA holds no record (65).
    case noRecords(data: String)
    /// The evaluation data hold no loss position (65).
    case noLossPositions(data: String)
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
        case .unusableCache(let cache, let reason): "\(cache) cannot be trained on: \(reason)"
        case .noRecords(let data): "\(data) holds no record"
        case .noLossPositions(let data): "\(data) holds no position to evaluate: every record's loss mask is empty"
        case .unsupportedStudent(let path, let reason): "\(path) cannot be trained: \(reason)"
        case .outputExists(let path): "\(path) already exists"
        case .resumeRefused(let stagingPath, let reason):
            "\(stagingPath) holds an interrupted run of another command line: \(reason)"
        case .damagedCheckpoint(let path, let problem): "\(path): the staged checkpoint is damaged: \(problem)"
        }
    }

    public var hint: String? {
        switch self {
        case .unusableCache:
            "give a top-K or sampled cache in the student's vocabulary (`smelt fuse` maps teachers into it)"
        case .outputExists: "choose another OUT, or remove it"
        case .resumeRefused, .damagedCheckpoint:
            "rerun with the same options to resume, or add --restart to discard the staged run"
        case .noLossPositions: "give evaluation records with text, a completion or an assistant's turn"
        case .noRecords, .unsupportedStudent: nil
        }
    }
}
