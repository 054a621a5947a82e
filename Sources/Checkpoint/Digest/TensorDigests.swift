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
    /// Bytes hashed between releases of the mapped pages: large enough that
    /// madvise costs nothing, small enough that resident memory stays low.
    public static let digestWindowBytes: UInt64 = 8 << 20

    /// Hashes the header and every tensor in one front-to-back pass over the
    /// mapping, releasing pages as it goes so resident memory stays under a
    /// few windows however large the file. `progress` is told each window's
    /// byte count.
    public func computeDigests(progress: (UInt64) -> Void = { _ in }) -> FileDigests {
        let headerDigest = mapping.withBytes(in: headerRange) { XXH3.digest($0) }
        var tensorDigests: [(name: String, digest: UInt64)] = []
        tensorDigests.reserveCapacity(header.tensors.count)
        for tensor in header.tensors {
            tensorDigests.append((tensor.name, digest(of: fileRange(of: tensor), progress: progress)))
        }
        return FileDigests(path: path, size: size, header: headerDigest, tensors: tensorDigests)
    }

    /// XXH3-64 of the bytes in `range`, read `windowBytes` at a time.
    public func digest(
        of range: Range<UInt64>, windowBytes: UInt64 = digestWindowBytes, progress: (UInt64) -> Void = { _ in }
    ) -> UInt64 {
        if UInt64(range.count) <= windowBytes {
            let value = mapping.withBytes(in: range) { XXH3.digest($0) }
            mapping.release(range)
            progress(UInt64(range.count))
            return value
        }
        let hasher = XXH3Hasher()
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(range.upperBound, start + windowBytes)
            if end < range.upperBound { mapping.adviseSequential(end..<min(range.upperBound, end + windowBytes)) }
            mapping.withBytes(in: start..<end) { hasher.update($0) }
            mapping.release(start..<end)
            progress(end - start)
            start = end
        }
        return hasher.finalize()
    }
}
