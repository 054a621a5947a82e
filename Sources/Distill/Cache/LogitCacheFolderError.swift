import Base

/// Why a logit-cache folder cannot be written, resumed, joined or read.
public enum LogitCacheFolderError: SmeltError, Equatable, Sendable {
    /// The staging folder holds another run's work (sysexits 73).
    case resumeRefused(stagingPath: String, reason: String)
    /// The output exists and holds another cache (sysexits 73).
    case outputExists(path: String, reason: String)
    /// Shards that do not make one cache (sysexits 65).
    case joinRefused(reason: String)
    /// A file of the cache is missing, damaged or disagrees with the
    /// manifest (sysexits 65); `place` names the file and offset.
    case damaged(place: String, problem: String)
    /// No record with this id (sysexits 65).
    case unknownRecord(id: String, cache: String)

    public var exitCode: ExitCode {
        switch self {
        case .resumeRefused, .outputExists: .cannotCreateOutput
        case .joinRefused, .damaged, .unknownRecord: .dataError
        }
    }

    public var description: String {
        switch self {
        case .resumeRefused(let stagingPath, let reason):
            "cannot resume the interrupted run in \(stagingPath): \(reason); run again with --restart to discard it"
        case .outputExists(let path, let reason):
            "\(path) already exists and \(reason); choose another output or remove it"
        case .joinRefused(let reason): "cannot join the shards: \(reason)"
        case .damaged(let place, let problem): "\(place): \(problem)"
        case .unknownRecord(let id, let cache): "\(cache) holds no record with id \(id)"
        }
    }
}
