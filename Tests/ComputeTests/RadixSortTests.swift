import Compute
import Testing

/// `RadixSort` orders like a stable comparison sort: by key, equal keys in
/// their original order.
@Suite struct RadixSortTests {
    /// Sorts (key, index) entries; returns the keys and indices in order.
    static func sorted(_ keys: [UInt32]) -> (keys: [UInt32], payload: [UInt32]) {
        var entries = keys.enumerated().map { UInt64($1) << 32 | UInt64($0) }
        var scratch = [UInt64](repeating: 0, count: keys.count)
        entries.withUnsafeMutableBufferPointer { entryBuffer in
            scratch.withUnsafeMutableBufferPointer { RadixSort.sortByHighHalf(entryBuffer, scratch: $0) }
        }
        return (entries.map { UInt32($0 >> 32) }, entries.map { UInt32(truncatingIfNeeded: $0) })
    }

    /// Few distinct values in every byte, so ties are common; the upper
    /// halves span 770 values (one pass), 32,768 (two byte passes), or one
    /// value with the lower bytes varying.
    @Test(arguments: [0, 1, 2, 7, 256, 1537], [0x0301_0F03, 0x7F00_0103, 0x0000_FFFF] as [UInt32])
    func ordersLikeAStableSortWithTiesByIndex(count: Int, mask: UInt32) {
        var state: UInt64 = UInt64(count) &* 0x9E37_79B9_7F4A_7C15 | 1
        let keys = (0..<count).map { _ -> UInt32 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt32(truncatingIfNeeded: state) & mask
        }
        let expected = keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        let (sortedKeys, payload) = Self.sorted(keys)
        #expect(payload == expected.map { UInt32($0) })
        #expect(sortedKeys == expected.map { keys[$0] })
    }

    @Test func keepsKeysThatShareEveryByteInPlace() {
        let (sortedKeys, payload) = Self.sorted([5, 5, 5, 5])
        #expect(sortedKeys == [5, 5, 5, 5] && payload == [0, 1, 2, 3])
    }
}
