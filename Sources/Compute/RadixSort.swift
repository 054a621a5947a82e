import Base

/// A stable LSD radix sort of UInt64 entries by their high 32 bits (a key;
/// the low half is a payload, typically an index), a byte at a time,
/// skipping the bytes every key shares. For short rows (DELLA ranks each
/// row of a tensor) it does a few linear passes where a comparison sort
/// does n log n comparisons through a closure; stability keeps equal keys
/// in their original order, which is the tie rule. Key and payload in one
/// word move in one store per pass.
public enum RadixSort {
    /// Sorts `entries` ascending by their high halves; `entries` holds the
    /// result. `scratch` is at least as long.
    public static func sortByHighHalf(
        _ entries: UnsafeMutableBufferPointer<UInt64>, scratch: UnsafeMutableBufferPointer<UInt64>
    ) {
        let count = entries.count
        guard count > 1, let entriesBase = entries.baseAddress, let scratchBase = scratch.baseAddress else { return }
        var source = entriesBase, target = scratchBase
        // One counting pass for the four key bytes; then one scatter pass
        // per byte that not every key shares.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * 256) { counts in
            counts.initialize(repeating: 0)
            for index in 0..<count {
                let key = Int(truncatingIfNeeded: source[index] >> 32)
                counts[key & 255] += 1
                counts[256 + (key >> 8) & 255] += 1
                counts[512 + (key >> 16) & 255] += 1
                counts[768 + (key >> 24) & 255] += 1
            }
            for byte in 0..<4 {
                let shift = UInt64(32 + 8 * byte)
                let digits = counts.baseAddress! + 256 * byte  // checked: 1,024 counts
                if digits[Int(truncatingIfNeeded: source[0] >> shift) & 255] == count { continue }
                var next = 0
                for digit in 0..<256 {
                    let digitCount = digits[digit]
                    digits[digit] = next
                    next += digitCount
                }
                for index in 0..<count {
                    let entry = source[index]
                    let digit = Int(truncatingIfNeeded: entry >> shift) & 255
                    target[digits[digit]] = entry
                    digits[digit] += 1
                }
                swap(&source, &target)
            }
        }
        if source != entriesBase { entriesBase.update(from: source, count: count) }
    }
}
