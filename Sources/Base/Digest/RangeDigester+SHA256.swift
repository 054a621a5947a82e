extension RangeDigester {
    /// One front-to-back pass over a whole file that yields both its
    /// SHA-256 and the XXH3-64 of each of `ranges` (sorted, not
    /// overlapping). For a Hugging Face cache file both are needed, and
    /// reading a 100 GB model twice would double the cost of `verify` on a
    /// host whose page cache cannot hold it.
    public static func sha256AndDigests(
        of file: OpenFile, size: UInt64, ranges: [Range<UInt64>], windowBytes: Int = defaultWindowBytes,
        progress: (UInt64) -> Void = { _ in }
    ) throws(SystemError) -> (sha256: String, digests: [UInt64]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: windowBytes, alignment: 64)
        defer { buffer.deallocate() }
        var sha = SHA256()
        let hasher = XXH3Hasher()
        var digests: [UInt64] = []
        digests.reserveCapacity(ranges.count)
        var windowStart: UInt64 = 0
        try file.readWindows(of: 0..<size, through: buffer) { window in
            sha.update(window)
            let windowEnd = windowStart + UInt64(window.count)
            while digests.count < ranges.count {
                let range = ranges[digests.count]
                guard range.lowerBound < windowEnd else { break }
                let start = max(range.lowerBound, windowStart)
                let end = min(range.upperBound, windowEnd)
                if start < end {
                    hasher.update(
                        UnsafeRawBufferPointer(rebasing: window[Int(start - windowStart)..<Int(end - windowStart)]))
                }
                guard range.upperBound <= windowEnd else { break }
                digests.append(hasher.finalize())
                hasher.reset()
            }
            progress(UInt64(window.count))
            windowStart = windowEnd
        }
        // Only zero-length ranges at the very end can remain.
        while digests.count < ranges.count { digests.append(hasher.finalize()) }
        return (sha.finalizeHex(), digests)
    }
}
