/// The byte counts of one string, for the bag distance to others: a lower
/// bound on the edit distance, max(|a|, |b|) minus the bytes the two
/// strings have in common counted with multiplicity (Bartolini et al.,
/// 2002, "String matching with metric trees using an approximate distance").
struct ByteBag {
    private let length: Int
    private var counts = [Int32](repeating: 0, count: 256)
    /// Scratch counts of the string being compared, zero between calls.
    private var seen = [Int32](repeating: 0, count: 256)

    /// The bag of `bytes`.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        length = bytes.count
        for byte in bytes { counts[Int(byte)] += 1 }
    }

    /// At most the edit distance between this bag's string and `other`:
    /// each byte not matched by an equal byte of the other string needs an
    /// edit, and one edit serves at most one byte of each string.
    mutating func distanceLowerBound(to other: UnsafeBufferPointer<UInt8>) -> Int {
        var common = 0
        counts.withUnsafeBufferPointer { counts in
            seen.withUnsafeMutableBufferPointer { seen in
                for byte in other {
                    seen[Int(byte)] += 1
                    if seen[Int(byte)] <= counts[Int(byte)] { common += 1 }
                }
                for byte in other { seen[Int(byte)] = 0 }
            }
        }
        return max(length, other.count) - common
    }
}
