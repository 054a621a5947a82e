import Base
/// Why the writer cannot create or publish its output.
public enum WriterError: SmeltError, Equatable {
    public var exitCode: ExitCode {
        switch self {
        case .outputExists, .stagingLocked, .stagingNotOurs, .stagingVanished, .outputNotAFolder, .outputOverlapsInput,
            .resumeRefused:
            .cannotCreateOutput
        default: .ioError
        }
    }

    /// `OUT` already exists and replacing it was not asked for.
    case outputExists(path: String)
    /// Another process holds the staging folder's lock.
    case stagingLocked(path: String)
    /// The staging folder's name holds something Smelt did not stage.
    case stagingNotOurs(path: String, problem: String)
    /// The staging folder disappeared right after it was created.
    case stagingVanished(path: String)
    /// `OUT` is a symbolic link or a file, which `--force` does not replace.
    case outputNotAFolder(path: String, kind: String)
    /// A chunk for a tensor that is not in the layout.
    case unknownTensor(name: String)
    /// A chunk that would fall outside its tensor's bytes.
    case chunkOutOfRange(tensor: String, offset: UInt64, count: Int, tensorBytes: UInt64)
    /// The staged output failed its own check before publishing.
    case stagedOutputInvalid(path: String, problem: String)
    /// A file name for an extra output file that is not a plain name.
    case unsafeFileName(name: String)
    /// The output path is, is inside, or contains an input.
    case outputOverlapsInput(output: String, input: String, relation: String)
    /// Not enough free disk for the output.
    case insufficientDisk(path: String, neededBytes: UInt64, availableBytes: UInt64)
    /// The staging folder holds an interrupted run that this one must not
    /// resume: another plan, input or version, or a damaged journal.
    case resumeRefused(stagingPath: String, reason: String)

    public var description: String {
        switch self {
        case .outputExists(let path):
            "\(path) already exists; choose another output folder or pass --force to replace it"
        case .stagingLocked(let path):
            "\(path) is in use by another smelt process (its lock is held); wait for it or stop it"
        case .stagingNotOurs(let path, let problem):
            "\(path) cannot be used as the staging folder: \(problem); Smelt never follows, empties or writes"
                + " into what it did not create: move it away, then run again"
        case .stagingVanished(let path):
            "\(path) disappeared right after it was created; is another program removing it?"
        case .outputNotAFolder(let path, let kind):
            "\(path) is \(kind), not a folder Smelt wrote; --force replaces only output folders: remove it yourself"
        case .unknownTensor(let name):
            "no output tensor is called \"\(name)\""
        case .chunkOutOfRange(let tensor, let offset, let count, let tensorBytes):
            "a chunk of \(count) bytes at offset \(offset) falls outside tensor \"\(tensor)\" (\(tensorBytes) bytes)"
        case .stagedOutputInvalid(let path, let problem):
            "staged output \(path) failed its final check: \(problem)"
        case .unsafeFileName(let name):
            "\"\(name)\" is not a plain file name"
        case .outputOverlapsInput(let output, let input, let relation):
            "\(output) \(relation == "is" ? "is the input" : relation == "is inside" ? "is inside the input" : "contains the input")"
                + " \(input); Smelt never writes into what it reads, even with --force: choose another output"
        case .insufficientDisk(let path, let needed, let available):
            "\(path): not enough free disk: the output needs \(needed) bytes, \(available) are free"
        case .resumeRefused(let staging, let reason):
            "\(staging) holds an interrupted run that cannot be resumed: \(reason); add --restart to discard it and start over"
        }
    }
}
