/// Raw bits, least significant first within each byte, the order of the
/// bit section of a logit-cache record.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var pending: UInt64 = 0
    private var pendingCount = 0

    /// Appends the low `count` bits of `value` (count ≤ 32).
    mutating func write(_ value: UInt32, count: Int) {
        guard count > 0 else { return }
        pending |= UInt64(value & UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(count)) - 1)) << UInt64(pendingCount)
        pendingCount += count
        while pendingCount >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: pending))
            pending >>= 8
            pendingCount -= 8
        }
    }

    /// Appends `value` (below 2^31) in Elias gamma code of `value + 1`: the
    /// bit length L of `value + 1` in unary (L − 1 zeros and a one), then
    /// its low L − 1 bits. Only table fields use it, all below 2^12.
    mutating func writeGamma(_ value: UInt32) {
        let shifted = UInt64(value) + 1
        let length = 64 - shifted.leadingZeroBitCount
        write(1 << UInt32(length - 1), count: length)
        write(UInt32(truncatingIfNeeded: shifted), count: length - 1)
    }

    /// The bytes, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if pendingCount > 0 { bytes.append(UInt8(truncatingIfNeeded: pending)) }
        pending = 0
        pendingCount = 0
        return bytes
    }
}

/// Reads what `BitWriter` wrote, from a byte range it never leaves.
struct BitReader {
    private let base: UnsafePointer<UInt8>?
    private var position: Int
    private let end: Int
    private var pending: UInt64 = 0
    private var pendingCount = 0

    /// Reads `bytes`, which must outlive the reader.
    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        position = 0
        end = bytes.count
    }

    /// The next `count` bits (count ≤ 32).
    @inline(__always)
    mutating func read(_ count: Int, field: @autoclosure () -> String) throws(LogitCacheError) -> UInt32 {
        if pendingCount < count {
            guard let base else { throw .truncated(field: field()) }
            while pendingCount <= 56 && position < end {
                pending |= UInt64(base[position]) << UInt64(pendingCount)
                position += 1
                pendingCount += 8
            }
            guard pendingCount >= count else { throw .truncated(field: field()) }
        }
        let value = UInt32(truncatingIfNeeded: pending & ((UInt64(1) << UInt64(count)) - 1))
        pending >>= UInt64(count)
        pendingCount -= count
        return value
    }

    /// A number written by `BitWriter.writeGamma` (at most 32 bits long).
    mutating func readGamma(field: @autoclosure () -> String) throws(LogitCacheError) -> UInt32 {
        var zeros = 0
        while try read(1, field: field()) == 0 {
            zeros += 1
            guard zeros < 32 else { throw .malformed(field: field(), problem: "a number longer than 32 bits") }
        }
        let shifted = (UInt64(1) << UInt64(zeros)) | UInt64(try read(zeros, field: field()))
        return UInt32(shifted - 1)  // checked: shifted < 2^32 and ≥ 1
    }

    /// Checks the reader is at the end: only zero padding bits are left in
    /// the last byte and no byte follows.
    func finish() throws(LogitCacheError) {
        let remainingBytes = end - position
        guard remainingBytes == 0, pendingCount < 8 else {
            throw .trailingBytes(count: remainingBytes + pendingCount / 8)
        }
        guard pending == 0 else { throw .malformed(field: "bit section", problem: "padding bits are not zero") }
    }
}
