#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call, on which path, and the errno it set.
public struct SystemError: SmeltError, Equatable, Sendable {
    public let call: String
    public let path: String
    public let errno: Int32

    public init(call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    /// Whether the file or folder does not exist (the caller's "missing input").
    public var isMissingPath: Bool { errno == ENOENT || errno == ENOTDIR }

    /// Whether the disk is full or over quota.
    public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    /// A missing path is a missing input (66); anything else is I/O (74).
    public var exitCode: ExitCode { isMissingPath ? .missingInput : .ioError }

    public var message: String { isMissingPath ? "\(path): no such file or folder" : description }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return "\(path): \(call) failed: \(reason) (errno \(errno))"
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
