import Base
#if canImport(Glibc)
import Glibc
#endif

/// The digests that cover a safetensors file: its header bytes and each
/// tensor's raw bytes (DESIGN.md, "File digest").
public struct FileDigests: Sendable {
    public let path: String
    public let size: UInt64
    /// XXH3-64 of the first 8 + N bytes (length prefix, JSON, padding).
    public let header: UInt64
    /// Tensor name and XXH3-64 of its bytes, in offset order.
    public let tensors: [(name: String, digest: UInt64)]
}

extension SafeTensorsFile {
    /// Hashes the header and every tensor, each tensor in order, tensors
    /// spread over `threads` workers. A file that shrinks meanwhile is a
    /// `SystemError` naming it.
    public func computeDigests(
        threads: Int = defaultThreadCount, progress: @Sendable (UInt64) -> Void = { _ in }
    ) throws(SystemError) -> FileDigests {
        let headerDigest = mapping.withBytes(in: headerRange) { XXH3.digest($0) }
        let ranges = header.tensors.map { fileRange(of: $0) }
        let digests = try RangeDigester.digests(of: file, ranges: ranges, threads: threads, progress: progress)
        return FileDigests(
            path: path, size: size, header: headerDigest, tensors: Array(zip(header.tensors.map(\.name), digests)))
    }
}
