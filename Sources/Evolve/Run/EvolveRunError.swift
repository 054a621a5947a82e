import Base

/// Why a search cannot run or go on, once its definition has parsed.
public enum EvolveRunError: SmeltError, Equatable {
    /// A fitness data file holds no records.
    case emptyFitnessData(path: String)
    /// `max_tokens` is smaller than the first record of a data set.
    case fitnessCapLeavesNoRecords(path: String, maxTokens: Int)
    /// The memory budget cannot hold the forward pass, the merge's buffers
    /// and the largest merged tensor at once.
    case budgetTooSmall(neededBytes: UInt64, limitBytes: UInt64)
    /// The merge of a candidate has no config.json to run the model from.
    case missingConfig(model: String)
    /// The staged run in `stagingPath` belongs to another search.
    case differentSearch(stagingPath: String, problem: String)
    /// Replaying the journal asked for another candidate than the one journaled.
    case replayDiverged(stagingPath: String, evaluation: Int)
    /// OUT exists and is not the finished result of this search.
    case outputExists(path: String)
    /// Every candidate's fitness was NaN or infinite.
    case noFiniteFitness(evaluations: Int)
    /// Stopped by a signal; the evaluations journaled so far are kept.
    case interrupted(signal: Int32, stagingPath: String, evaluations: Int)

    public var exitCode: ExitCode {
        switch self {
        case .emptyFitnessData, .fitnessCapLeavesNoRecords, .missingConfig, .noFiniteFitness: .dataError
        case .budgetTooSmall: .usage
        case .differentSearch, .outputExists: .cannotCreateOutput
        case .replayDiverged: .ioError
        case .interrupted(let signal, _, _): signal == StopSignals.terminate ? .terminated : .interrupted
        }
    }

    public var message: String {
        switch self {
        case .emptyFitnessData(let path):
            "\(path): the fitness data set holds no records"
        case .fitnessCapLeavesNoRecords(let path, let maxTokens):
            "\(path): fitness max_tokens \(maxTokens) leaves this data set without a record"
        case .budgetTooSmall(let needed, let limit):
            "the memory budget of \(Formatting.bytes(limit)) cannot hold a candidate's evaluation: it needs at least \(Formatting.bytes(needed))"
        case .missingConfig(let model):
            "\(model): the merged model has no config.json to run"
        case .differentSearch(let staging, let problem):
            "\(staging): the interrupted search staged there differs: \(problem)"
        case .replayDiverged(let staging, let evaluation):
            "\(staging): replaying the journal gave another candidate at evaluation \(evaluation) than the one journaled"
        case .outputExists(let path):
            "\(path) already exists and is not this search's finished result"
        case .noFiniteFitness(let evaluations):
            "none of the \(evaluations) candidates scored a finite fitness"
        case .interrupted(_, let staging, let evaluations):
            "interrupted after \(evaluations) evaluations; they are kept in \(staging)"
        }
    }

    public var hint: String? {
        switch self {
        case .budgetTooSmall: "raise --memory-budget"
        case .differentSearch: "run with --restart to discard it, or give another OUT"
        case .replayDiverged: "the binary or the search changed since the run began; run with --restart"
        case .outputExists: "remove it or give another OUT"
        case .interrupted: "run the same command again to go on"
        default: nil
        }
    }

    public var description: String { message }
}
