import Checkpoint
import Merge

/// sysexits codes (DESIGN.md, "Exit codes").
enum ExitCode: Int32 {
    case success = 0
    case verificationFailed = 1
    case usage = 64
    case dataError = 65
    case missingInput = 66
    case cannotCreateOutput = 73
    case ioError = 74
    case interrupted = 130
    case terminated = 143
}

/// Maps an error to its exit code and one-line message.
func exitStatus(for error: any Error) -> (ExitCode, String) {
    switch error {
    case let error as UsageError: (.usage, error.message)
    case let error as SystemError where error.isMissingPath: (.missingInput, "\(error.path): no such file or folder")
    case let error as SystemError: (.ioError, error.description)
    case let error as CheckpointError: (.dataError, error.description)
    case let error as WriterError:
        switch error {
        case .outputExists, .stagingLocked: (.cannotCreateOutput, error.description)
        default: (.ioError, error.description)
        }
    case let error as LayoutError: (.dataError, error.description)
    case let error as MergeError:
        switch error {
        case .missingModel: (.missingInput, error.description)
        case .outputHoldsDifferentMerge, .resumeRefused: (.cannotCreateOutput, error.description)
        case .insufficientDisk, .diskFull, .runFailed, .stagedOutputChanged: (.ioError, error.description)
        case .interrupted(let signal, _, _):
            (signal == StopSignals.terminate ? .terminated : .interrupted, "stopped by \(StopSignals.name(of: signal)); " + error.description)
        case .recipe, .unsupported, .incompatibleInputs: (.dataError, error.description)
        }
    case let error as Manifest.ParseError: (.dataError, error.description)
    // Spill files are Smelt's own, written during the run: damage there is the disk's.
    case let error as SpillError: (.ioError, error.description)
    default: (.ioError, "\(error)")
    }
}
