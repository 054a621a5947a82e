/// A set of scalars as a class states it: explicit ranges, plus every scalar whose `ScalarClass` property byte is
/// in `propertyBits` (how `\p{L}`, `\s`, `\W` are kept), all of it complemented when `isNegated`.
struct ScalarSet: Sendable, Equatable {
    var ranges: [ClosedRange<UInt32>] = []
    /// Bit `b` set: scalars with property byte `b` belong (128 bytes: category plus the `\s` and `\w` bits).
    var propertyBitsLow: UInt64 = 0
    var propertyBitsHigh: UInt64 = 0
    var isNegated = false

    /// The set of one scalar.
    init(_ scalar: UInt32) { ranges = [scalar...scalar] }

    init() {}

    /// `.`: everything but `\n`.
    static var anyButNewline: ScalarSet {
        var set = ScalarSet(0x0A)
        set.isNegated = true
        return set
    }

    /// The set of property bytes for which `predicate` holds.
    init(properties predicate: (UInt8) -> Bool) {
        for byte in 0..<128 where predicate(UInt8(byte)) { addProperty(UInt8(byte)) }
    }

    mutating func addProperty(_ byte: UInt8) {
        if byte < 64 { propertyBitsLow |= 1 << UInt64(byte) } else { propertyBitsHigh |= 1 << UInt64(byte - 64) }
    }

    func hasProperty(_ byte: UInt8) -> Bool {
        byte < 64 ? propertyBitsLow >> UInt64(byte) & 1 != 0 : propertyBitsHigh >> UInt64(byte - 64) & 1 != 0
    }

    /// Adds every member of `other` (which must not be negated itself).
    mutating func formUnion(_ other: ScalarSet) {
        ranges += other.ranges
        propertyBitsLow |= other.propertyBitsLow
        propertyBitsHigh |= other.propertyBitsHigh
    }

    /// Whether the scalar `value`, whose property byte is `properties`, is in the set.
    func contains(_ value: UInt32, properties: UInt8) -> Bool {
        let listed = hasProperty(properties) || ranges.contains { $0.contains(value) }
        return listed != isNegated
    }

    /// The single scalar this set is, if it is one.
    var singleScalar: UInt32? {
        guard !isNegated, propertyBitsLow == 0, propertyBitsHigh == 0, ranges.count == 1,
            ranges[0].lowerBound == ranges[0].upperBound
        else { return nil }
        return ranges[0].lowerBound
    }

    /// The ranges sorted and merged, so a lookup can stop early.
    var normalizedRanges: [ClosedRange<UInt32>] {
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
