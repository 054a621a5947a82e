import Base

/// A stable LSD radix sort of UInt32 keys carrying a UInt32 payload, a
/// byte at a time, skipping the bytes every key shares. For short rows
/// (DELLA ranks each row of a tensor) it does a few linear passes where a
/// comparison sort does n log n comparisons through a closure; stability
/// keeps equal keys in payload order, which is the tie rule.
public enum RadixSort {
    /// Sorts `keys` ascending, moving `payload` with them; `keys` and
    /// `payload` hold the result. The scratch buffers are at least as long.
    public static func sort(
        keys: UnsafeMutableBufferPointer<UInt32>, payload: UnsafeMutableBufferPointer<UInt32>,
        scratchKeys: UnsafeMutableBufferPointer<UInt32>, scratchPayload: UnsafeMutableBufferPointer<UInt32>
    ) {
        let count = keys.count
        guard count > 1 else { return }
        var sourceKeys = keys, sourcePayload = payload
        var targetKeys = scratchKeys, targetPayload = scratchPayload
        // One counting pass for all four bytes; then one scatter pass per
        // byte that not every key shares.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * 256) { counts in
            counts.initialize(repeating: 0)
            for index in 0..<count {
                let key = Int(truncatingIfNeeded: sourceKeys[index])
                counts[key & 255] += 1
                counts[256 + (key >> 8) & 255] += 1
                counts[512 + (key >> 16) & 255] += 1
                counts[768 + (key >> 24) & 255] += 1
            }
            for byte in 0..<4 {
                let shift = UInt32(8 * byte)
                let digits = UnsafeMutableBufferPointer(rebasing: counts[256 * byte..<256 * (byte + 1)])
                if digits[Int(truncatingIfNeeded: sourceKeys[0] >> shift) & 255] == count { continue }
                var next = 0
                for digit in 0..<256 {
                    let digitCount = digits[digit]
                    digits[digit] = next
                    next += digitCount
                }
                for index in 0..<count {
                    let key = sourceKeys[index]
                    let digit = Int(truncatingIfNeeded: key >> shift) & 255
                    let position = digits[digit]
                    digits[digit] = position + 1
                    targetKeys[position] = key
                    targetPayload[position] = sourcePayload[index]
                }
                swap(&sourceKeys, &targetKeys)
                swap(&sourcePayload, &targetPayload)
            }
        }
        if sourceKeys.baseAddress != keys.baseAddress {
            _ = keys.update(fromContentsOf: UnsafeMutableBufferPointer(rebasing: sourceKeys[0..<count]))
            _ = payload.update(fromContentsOf: UnsafeMutableBufferPointer(rebasing: sourcePayload[0..<count]))
        }
    }
}
