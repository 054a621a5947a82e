#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call, on which path, and the errno it set;
/// or a file Smelt refuses to read before any read (a FIFO, a file over a
/// size limit), which carries its `refusal` instead of an errno.
public struct SystemError: SmeltError, Equatable, Sendable {
    public let call: String
    public let path: String
    public let errno: Int32
    public let refusal: Refusal?

    /// Why a file is refused without a failed call.
    public enum Refusal: Sendable, Equatable {
        /// A FIFO, socket, device or folder where a regular file is read:
        /// opening a FIFO would block for ever, a device never ends (66).
        case notARegularFile(kind: String)
        /// A file read whole that is larger than the reader's limit (65).
        case tooLarge(limitBytes: UInt64)
    }

    public init(call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
        refusal = nil
    }

    public init(path: String, refusal: Refusal) {
        call = "open"
        self.path = path
        errno = 0
        self.refusal = refusal
    }

    /// Whether the file or folder does not exist (the caller's "missing input").
    public var isMissingPath: Bool { refusal == nil && (errno == ENOENT || errno == ENOTDIR) }

    /// Whether the disk is full or over quota.
    public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    /// A missing path, a loop of symbolic links or a file that is not a
    /// regular file is a missing input (66); a file over its limit is
    /// malformed input (65); anything else is I/O (74).
    public var exitCode: ExitCode {
        switch refusal {
        case .notARegularFile?: .missingInput
        case .tooLarge?: .dataError
        case nil: isMissingPath || errno == ELOOP ? .missingInput : .ioError
        }
    }

    public var message: String { isMissingPath ? "\(path): no such file or folder" : description }

    public var description: String {
        switch refusal {
        case .notARegularFile(let kind)?:
            return "\(path): is \(kind), not a regular file; Smelt reads only regular files"
        case .tooLarge(let limit)?:
            return "\(path): larger than the \(limit)-byte limit for this kind of file"
        case nil:
            let reason = String(cString: strerror(errno))
            return "\(path): \(call) failed: \(reason) (errno \(errno))"
        }
    }
}

/// Calls `body` until it stops failing with EINTR; returns its result or throws.
@inline(__always)
func retryingInterrupts<T: BinaryInteger>(
    _ call: String, path: String, _ body: () -> T
) throws(SystemError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemError(call: call, path: path, errno: code)
    }
}
