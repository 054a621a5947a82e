import Base

/// Why a GGUF cannot be converted, or a conversion did not finish. Each
/// case maps to one sysexits code (DESIGN.md, "Exit codes").
public enum ConvertError: SmeltError, Sendable, Equatable {
    /// `general.architecture` names an architecture Smelt does not convert (65).
    case unknownArchitecture(file: String, architecture: String, known: [String])
    /// A metadata key the architecture needs is absent (65).
    case missingMetadata(file: String, key: String)
    /// A metadata value has the wrong type or an impossible value (65).
    case invalidMetadata(file: String, key: String, problem: String)
    /// A tensor the model needs is not in the file (65).
    case missingTensor(file: String, tensor: String)
    /// A tensor the architecture has no place for (65).
    case unexpectedTensor(file: String, tensor: String, architecture: String)
    /// A tensor's shape is not what the metadata implies (65).
    case shapeMismatch(file: String, tensor: String, shape: [Int], expected: [Int])
    /// The output folder holds something other than this conversion (73).
    case outputHoldsDifferentOutput(path: String, problem: String)
    /// A SIGINT or SIGTERM stopped the run; staged work is kept (130/143).
    case interrupted(signal: Int32, stagingPath: String, keptBytes: UInt64)
    /// The disk filled up during the run (74).
    case diskFull(path: String, neededBytes: UInt64, stagingPath: String)
    /// A read or write failed during the run; staged work is kept (74).
    case runFailed(cause: SystemError, stagingPath: String)
    /// Staged bytes checked at the start of a resume changed during it (74).
    case stagedOutputChanged(tensor: String, byteOffset: UInt64)

    public var exitCode: ExitCode {
        switch self {
        case .unknownArchitecture, .missingMetadata, .invalidMetadata, .missingTensor, .unexpectedTensor,
            .shapeMismatch:
            .dataError
        case .outputHoldsDifferentOutput: .cannotCreateOutput
        case .diskFull, .runFailed, .stagedOutputChanged: .ioError
        case .interrupted(let signal, _, _): signal == StopSignals.terminate ? .terminated : .interrupted
        }
    }

    public var message: String {
        guard case .interrupted(let signal, _, _) = self else { return description }
        return "stopped by \(StopSignals.name(of: signal)); " + description
    }

    public var hint: String? {
        guard case .unknownArchitecture = self else { return nil }
        return "--raw-names --dtype f32 writes the tensors of any architecture under their GGUF names"
    }

    public var description: String {
        switch self {
        case .unknownArchitecture(let file, let architecture, let known):
            "\(file): architecture \"\(architecture)\" is not supported (Smelt converts "
                + known.joined(separator: ", ") + ")"
        case .missingMetadata(let file, let key):
            "\(file): metadata key \(key) is missing"
        case .invalidMetadata(let file, let key, let problem):
            "\(file): metadata key \(key) \(problem)"
        case .missingTensor(let file, let tensor):
            "\(file): tensor \"\(tensor)\" is missing"
        case .unexpectedTensor(let file, let tensor, let architecture):
            "\(file): tensor \"\(tensor)\" has no place in a \(architecture) model"
        case .shapeMismatch(let file, let tensor, let shape, let expected):
            "\(file): tensor \"\(tensor)\" has shape \(shape), but the metadata implies \(expected)"
        case .outputHoldsDifferentOutput(let path, let problem):
            "\(path) already holds something else (\(problem)); choose another output folder, or pass --force to"
                + " replace it"
        case .interrupted(_, let staging, let kept):
            "finished work (\(kept) bytes) is kept in \(staging): run the same command again to resume"
        case .diskFull(let path, let needed, let staging):
            "\(path): the disk is full: \(needed) more bytes are needed to finish; free some space and run the same"
                + " command again to resume (finished work is kept in \(staging))"
        case .runFailed(let cause, let staging):
            "\(cause); finished work is kept in \(staging): run the same command again to resume once this is fixed"
        case .stagedOutputChanged(let tensor, let offset):
            "the staged bytes of \(tensor) at byte \(offset) changed during the run; run the same command again"
        }
    }
}
