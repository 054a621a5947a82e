/// Which byte values occur in a byte string, as 128 bits: a cheap lower
/// bound on the edit distance between two strings, checked before anything
/// dearer.
///
/// Printable ASCII (0x20 to 0x7F) has a bit per value; the other bytes
/// (control bytes and UTF-8 sequences) share 32 bits by their low five bits,
/// so text in other scripts still differs from ASCII text.
struct ByteSignature: Sendable, Equatable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    /// The signature of the empty string.
    init() {}

    /// The signature of `bytes`.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes {
            let place = byte >= 0x20 && byte < 0x80 ? Int(byte) : Int(byte & 31)
            if place < 64 { low |= 1 << UInt64(place) } else { high |= 1 << UInt64(place - 64) }
        }
    }

    /// At most the edit distance between the strings of `self` and `other`.
    ///
    /// Each bit set for one string and clear for the other marks a byte of
    /// that string, with no equal byte in the other string, that some edit
    /// must remove or replace; distinct bits mark distinct bytes, and each
    /// edit touches at most one byte of each string.
    @inline(__always)
    func distanceLowerBound(to other: ByteSignature) -> Int {
        let onlyHere = (low & ~other.low).nonzeroBitCount + (high & ~other.high).nonzeroBitCount
        let onlyThere = (other.low & ~low).nonzeroBitCount + (other.high & ~high).nonzeroBitCount
        return max(onlyHere, onlyThere)
    }
}
