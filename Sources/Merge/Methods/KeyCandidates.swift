import Base
import Synchronization

/// The keys of a range of buckets (high halves), per chunk, kept by the
/// workers of a pass as their low halves, bucket by bucket (one store per
/// chunk, behind one Mutex). Past `limit` keys in all they are dropped,
/// and the pass they would have saved runs.
final class KeyCandidates: Sendable {
    let buckets: Range<UInt32>
    private let limit: Int
    /// Per chunk, per bucket of `buckets` (in order), the low halves.
    private let state = Mutex<(byChunk: [Int: [[UInt16]]], total: Int, overflowed: Bool)>(([:], 0, false))

    init(buckets: Range<UInt32>, limit: Int) {
        self.buckets = buckets
        self.limit = limit
    }

    /// Keeps low halves of one chunk's keys, one array per bucket of
    /// `buckets`, after those already kept for the chunk.
    func store(_ lows: [[UInt16]], chunkIndex: Int) {
        let count = lows.reduce(0) { $0 + $1.count }
        guard count > 0 else { return }
        state.withLock { state in
            guard !state.overflowed else { return }
            state.total += count
            if state.total > limit {
                state = ([:], state.total, true)
            } else if var kept = state.byChunk.removeValue(forKey: chunkIndex) {
                for slot in kept.indices where slot < lows.count { kept[slot] += lows[slot] }
                state.byChunk[chunkIndex] = kept
            } else {
                state.byChunk[chunkIndex] = lows
            }
        }
    }

    /// How many keys each bucket holds, in bucket order; nil if the keys
    /// outgrew the limit.
    func bucketCounts() -> [Int]? {
        state.withLock { state in
            guard !state.overflowed else { return nil }
            var counts = [Int](repeating: 0, count: buckets.count)
            for lows in state.byChunk.values {
                for (slot, kept) in lows.enumerated() where slot < counts.count { counts[slot] += kept.count }
            }
            return counts
        }
    }

    /// The histogram of the low halves of the keys in `bucket`, or nil if
    /// the keys outgrew the limit.
    func lowHistogram(bucket: UInt32) -> [UInt64]? {
        guard buckets.contains(bucket) else { return nil }
        let slot = Int(bucket - buckets.lowerBound)
        return state.withLock { state in
            guard !state.overflowed else { return nil }
            var bins = [UInt64](repeating: 0, count: histogramBinCount)
            for lows in state.byChunk.values where slot < lows.count {
                for low in lows[slot] { bins[Int(low)] += 1 }
            }
            return bins
        }
    }

    /// Per chunk (up to the last that has a candidate), how many keys equal
    /// `key`; nil if the keys outgrew the limit or `key` is not in range.
    func counts(of key: UInt32) -> [Int]? {
        guard buckets.contains(key >> 16) else { return nil }
        let slot = Int((key >> 16) - buckets.lowerBound), low = UInt16(truncatingIfNeeded: key)
        return state.withLock { state in
            guard !state.overflowed else { return nil }
            var counts = [Int](repeating: 0, count: (state.byChunk.keys.max() ?? -1) + 1)
            for (chunk, lows) in state.byChunk where slot < lows.count {
                counts[chunk] = lows[slot].reduce(0) { $0 + ($1 == low ? 1 : 0) }
            }
            return counts
        }
    }
}
