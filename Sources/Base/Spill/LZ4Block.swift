import CLZ4

/// The LZ4 block format (raw blocks, not the LZ4 frame format), the
/// compression of every spill block. The only place Smelt calls liblz4.
enum LZ4Block {
    /// The largest input liblz4 accepts (LZ4_MAX_INPUT_SIZE).
    static let maximumInputBytes = Int(LZ4_MAX_INPUT_SIZE)

    /// LZ4_compressBound: the most bytes `byteCount` input bytes can take
    /// compressed; 0 for a count liblz4 does not accept.
    static func compressBound(_ byteCount: Int) -> Int {
        guard byteCount >= 0, byteCount <= maximumInputBytes else { return 0 }
        return Int(LZ4_compressBound(Int32(byteCount)))  // checked: byteCount ≤ LZ4_MAX_INPUT_SIZE < Int32.max
    }

    /// Compresses `source` into `destination` (LZ4_compress_default) and
    /// returns the compressed byte count; nil when `destination` holds
    /// fewer than `compressBound(source.count)` bytes or liblz4 fails
    /// (which lz4.h rules out for a destination of that size).
    static func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Int? {
        let bound = compressBound(source.count)
        guard bound > 0, destination.count >= bound else { return nil }
        let written = withNonNullBase(destination) { target in
            LZ4_compress_default(
                source.baseAddress?.assumingMemoryBound(to: CChar.self), target.assumingMemoryBound(to: CChar.self),
                Int32(source.count), Int32(bound))  // checked: both ≤ compressBound(LZ4_MAX_INPUT_SIZE) < Int32.max
        }
        return written > 0 ? Int(written) : nil
    }

    /// Decompresses the LZ4 block `source` into `destination`
    /// (LZ4_decompress_safe, which never reads or writes outside either
    /// buffer) and returns the byte count produced; nil if `source` is not a
    /// valid block or would not fit.
    static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Int? {
        guard source.count <= Int(Int32.max), destination.count <= Int(Int32.max), let input = source.baseAddress else {
            return nil
        }
        let produced = withNonNullBase(destination) { target in
            LZ4_decompress_safe(
                input.assumingMemoryBound(to: CChar.self), target.assumingMemoryBound(to: CChar.self),
                Int32(source.count), Int32(destination.count))  // checked: both bounded by the guard above
        }
        return produced >= 0 ? Int(produced) : nil
    }

    /// Calls `body` with `buffer`'s base address, or with a one-byte
    /// stand-in when `buffer` is empty and has none: liblz4 is given a
    /// capacity of 0 then and never writes through it.
    private static func withNonNullBase<R>(
        _ buffer: UnsafeMutableRawBufferPointer, _ body: (UnsafeMutableRawPointer) -> R
    ) -> R {
        if let base = buffer.baseAddress { return body(base) }
        return withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) { standIn in
            body(standIn.baseAddress!)  // checked: a one-byte temporary allocation has a base address
        }
    }
}
