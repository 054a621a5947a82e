import Base
import CKernels

/// A stable LSD radix sort of UInt64 entries by their high 32 bits (a key;
/// the low half is a payload, typically an index). For short rows (DELLA
/// ranks each row of a tensor) it does a few linear passes where a
/// comparison sort does n log n comparisons through a closure; stability
/// keeps equal keys in their original order, which is the tie rule. Key and
/// payload in one word move in one store per pass.
public enum RadixSort {
    /// The widest range of upper key halves (bits 16–31) sorted in one pass
    /// instead of two byte passes: the magnitudes in a row of a task vector
    /// span a few binades, some hundreds of values.
    public static let widestUpperSpan = 2048

    /// Sorts `entries` ascending by their high halves; `entries` holds the
    /// result. `scratch` is at least as long.
    public static func sortByHighHalf(
        _ entries: UnsafeMutableBufferPointer<UInt64>, scratch: UnsafeMutableBufferPointer<UInt64>
    ) {
        let count = entries.count
        guard count > 1, let entriesBase = entries.baseAddress, let scratchBase = scratch.baseAddress else { return }
        // Bits every key shares need no pass: no counting to find them out.
        let (varying, lowestUpper, highestUpper) = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4) {
            bounds in
            smelt_key_bounds(entriesBase, count, bounds.baseAddress!)  // checked: capacity 4
            return (bounds[0] ^ bounds[1], bounds[2] >> 16, bounds[3] >> 16)
        }
        let upperSpan = Int(highestUpper - lowestUpper) + 1
        var source = entriesBase, target = scratchBase
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(256, widestUpperSpan)) { counts in
            let counts = counts.baseAddress!  // checked: capacity ≥ 256
            func pass(shift: UInt64, mask: UInt64, lowest: Int, size: Int) {
                scatter(
                    source, into: target, count: count, shift: shift, mask: mask, lowest: lowest, size: size, counts)
                swap(&source, &target)
            }
            if varying & 0xFF != 0 { pass(shift: 32, mask: 0xFF, lowest: 0, size: 256) }
            if varying & 0xFF00 != 0 { pass(shift: 40, mask: 0xFF, lowest: 0, size: 256) }
            if varying >> 16 != 0, upperSpan <= widestUpperSpan {
                pass(shift: 48, mask: 0xFFFF, lowest: Int(lowestUpper), size: upperSpan)
            } else {
                if varying & 0xFF_0000 != 0 { pass(shift: 48, mask: 0xFF, lowest: 0, size: 256) }
                if varying >> 24 != 0 { pass(shift: 56, mask: 0xFF, lowest: 0, size: 256) }
            }
        }
        if source != entriesBase { entriesBase.update(from: source, count: count) }
    }

    /// One stable counting pass by the digit (entry >> shift) & mask − lowest,
    /// which is below `size`.
    @inline(__always)
    private static func scatter(
        _ source: UnsafePointer<UInt64>, into target: UnsafeMutablePointer<UInt64>, count: Int, shift: UInt64,
        mask: UInt64, lowest: Int, size: Int, _ counts: UnsafeMutablePointer<Int>
    ) {
        @inline(__always) func digit(_ entry: UInt64) -> Int {
            Int(truncatingIfNeeded: (entry >> shift) & mask) &- lowest
        }
        counts.update(repeating: 0, count: size)
        for index in 0..<count { counts[digit(source[index])] &+= 1 }
        var next = 0
        for value in 0..<size {
            let valueCount = counts[value]
            counts[value] = next
            next &+= valueCount
        }
        for index in 0..<count {
            let entry = source[index]
            let position = digit(entry)
            target[counts[position]] = entry
            counts[position] &+= 1
        }
    }
}
