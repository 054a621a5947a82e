/// Why a spill file cannot be read or appended to. Every case names the
/// file; block problems also name the byte offset of the block.
public enum SpillError: SmeltError, Equatable, Sendable {
    /// Spill files are Smelt's own, written during the run: damage there is the disk's.
    public var exitCode: ExitCode { .ioError }

    /// A block before the end of the file, or one whose header is whole,
    /// does not check out: damage, not a crash, so nothing is truncated.
    case corruptBlock(path: String, offset: UInt64, problem: String)
    /// The file ends in a block cut short by a crash; strict reading refuses
    /// it, opening the file for appending drops it.
    case tornTail(path: String, offset: UInt64)
    /// A payload larger than `SpillBlock.maximumUncompressedBytes`.
    case payloadTooLarge(path: String, byteCount: Int)
    /// liblz4 could not compress a payload (it promises it always can).
    case compressionFailed(path: String, byteCount: Int)

    /// The spill file concerned.
    public var path: String {
        switch self {
        case .corruptBlock(let path, _, _), .tornTail(let path, _), .payloadTooLarge(let path, _),
            .compressionFailed(let path, _):
            path
        }
    }

    public var description: String {
        switch self {
        case .corruptBlock(let path, let offset, let problem):
            "\(path): block at byte \(offset) is corrupt: \(problem)"
        case .tornTail(let path, let offset):
            "\(path): the last block, at byte \(offset), is cut short (an append interrupted by a crash); "
                + "opening the file for appending drops it"
        case .payloadTooLarge(let path, let byteCount):
            "\(path): a payload of \(byteCount) bytes does not fit one spill block "
                + "(at most \(SpillBlock.maximumUncompressedBytes) bytes); split it"
        case .compressionFailed(let path, let byteCount):
            "\(path): liblz4 could not compress a payload of \(byteCount) bytes"
        }
    }
}
