import Base
import Synchronization

/// The keys of a range of buckets (high halves), per chunk, kept by the
/// workers of a pass as counts of their low halves, bucket by bucket (one
/// store per chunk, behind one Mutex). Counts, not the keys themselves: a
/// real fine-tune's task vector takes few distinct values, so a cut-off
/// falls inside ties of millions of equal keys that a list of keys could
/// not hold but a few counts do. Past `limit` distinct (chunk, bucket,
/// value) entries in all they are dropped, and the pass they would have
/// saved runs.
final class KeyCandidates: Sendable {
    let buckets: Range<UInt32>
    private let limit: Int
    /// Per chunk, per bucket of `buckets` (in order), the distinct low
    /// halves in ascending order with their counts.
    private let state = Mutex<(byChunk: [Int: [[KeyValueCount]]], entries: Int, overflowed: Bool)>(([:], 0, false))

    init(buckets: Range<UInt32>, limit: Int) {
        self.buckets = buckets
        self.limit = limit
    }

    /// Adds one chunk's counts (per bucket, ascending) to those already kept
    /// for the chunk.
    func store(_ counted: [[KeyValueCount]], chunkIndex: Int) {
        guard counted.contains(where: { !$0.isEmpty }) else { return }
        state.withLock { state in
            guard !state.overflowed else { return }
            var kept = state.byChunk.removeValue(forKey: chunkIndex) ?? Array(repeating: [], count: buckets.count)
            for slot in kept.indices where slot < counted.count && !counted[slot].isEmpty {
                state.entries -= kept[slot].count
                kept[slot] = KeyValueCount.merged(kept[slot], counted[slot])
                state.entries += kept[slot].count
            }
            if state.entries > limit {
                state = ([:], state.entries, true)
            } else {
                state.byChunk[chunkIndex] = kept
            }
        }
    }

    /// How many keys each bucket holds, in bucket order; nil if the keys
    /// outgrew the limit.
    func bucketCounts() -> [Int]? {
        state.withLock { state in
            guard !state.overflowed else { return nil }
            var counts = [Int](repeating: 0, count: buckets.count)
            for perBucket in state.byChunk.values {
                for (slot, values) in perBucket.enumerated() where slot < counts.count {
                    counts[slot] += values.reduce(0) { $0 + Int($1.count) }
                }
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
            for perBucket in state.byChunk.values where slot < perBucket.count {
                for value in perBucket[slot] { bins[Int(value.low)] += UInt64(value.count) }
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
            for (chunk, perBucket) in state.byChunk where slot < perBucket.count {
                counts[chunk] = Int(perBucket[slot].first { $0.low == low }?.count ?? 0)
            }
            return counts
        }
    }
}

/// One low half and how many keys of a chunk's bucket have it.
struct KeyValueCount: Sendable, Equatable {
    let low: UInt16
    var count: UInt32

    /// Adds two ascending count lists.
    static func merged(_ left: [KeyValueCount], _ right: [KeyValueCount]) -> [KeyValueCount] {
        var result: [KeyValueCount] = []
        result.reserveCapacity(left.count + right.count)
        var (i, j) = (0, 0)
        while i < left.count || j < right.count {
            if j == right.count || (i < left.count && left[i].low < right[j].low) {
                result.append(left[i])
                i += 1
            } else if i == left.count || right[j].low < left[i].low {
                result.append(right[j])
                j += 1
            } else {
                result.append(KeyValueCount(low: left[i].low, count: left[i].count + right[j].count))
                i += 1
                j += 1
            }
        }
        return result
    }
}

/// Counts of the distinct keys of one chunk that fall in a range of
/// buckets, in an open-addressing table that grows as needed: one multiply
/// and a probe or two per key, nothing allocated per key. Used by one
/// worker at a time.
final class KeyTally {
    let buckets: Range<UInt32>
    private var keys: UnsafeMutableBufferPointer<UInt32>
    private var counts: UnsafeMutableBufferPointer<UInt32>
    private var shift: UInt64
    private(set) var distinct = 0
    /// The most frequent key of the chunk's first piece: later pieces count
    /// it eight lanes at a time (`VectorLoops.countAboveMarkingInside`)
    /// instead of key by key. In a fine-tune's task vector it is usually
    /// the value a huge tie at the cut-off shares.
    private(set) var hotKey: UInt32?
    private var hotCount: UInt32 = 0

    init(buckets: Range<UInt32>) {
        self.buckets = buckets
        keys = .allocate(capacity: 256)
        counts = .allocate(capacity: 256)
        counts.initialize(repeating: 0)
        shift = 64 - 8
    }

    deinit {
        keys.deallocate()
        counts.deallocate()
    }

    /// Counts `key` (a key inside `buckets`).
    @inline(__always)
    func add(_ key: UInt32) {
        let mask = counts.count - 1
        var slot = Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while counts[slot] != 0 && keys[slot] != key { slot = (slot + 1) & mask }
        if counts[slot] == 0 {
            keys[slot] = key
            distinct += 1
            if 2 * distinct > counts.count {
                counts[slot] = 1
                grow()
                return
            }
        }
        counts[slot] &+= 1
    }

    /// Counts `key` (inside `buckets`) `count` times.
    func add(_ key: UInt32, count: Int) {
        guard count > 0 else { return }
        add(key)
        let mask = counts.count - 1
        var slot = Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while keys[slot] != key || counts[slot] == 0 { slot = (slot + 1) & mask }
        counts[slot] &+= UInt32(truncatingIfNeeded: count - 1)
    }

    /// Adds `count` occurrences of `hotKey`, counted by the caller.
    func addHot(_ count: Int) { hotCount &+= UInt32(truncatingIfNeeded: count) }

    /// Makes the most counted key so far the hot key, once.
    func chooseHotKey() {
        guard hotKey == nil, distinct > 0 else { return }
        var best = 0
        for index in counts.indices where counts[index] > counts[best] { best = index }
        hotKey = keys[best]
    }

    private func grow() {
        let (oldKeys, oldCounts) = (keys, counts)
        keys = .allocate(capacity: 2 * oldCounts.count)
        counts = .allocate(capacity: 2 * oldCounts.count)
        counts.initialize(repeating: 0)
        shift -= 1
        let mask = counts.count - 1
        for index in oldCounts.indices where oldCounts[index] != 0 {
            var slot = Int(truncatingIfNeeded: (UInt64(oldKeys[index]) &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while counts[slot] != 0 { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[index]
            counts[slot] = oldCounts[index]
        }
        oldKeys.deallocate()
        oldCounts.deallocate()
    }

    /// The counted keys per bucket, low halves ascending.
    func valueCounts() -> [[KeyValueCount]] {
        var entries: [(key: UInt32, count: UInt32)] = []
        entries.reserveCapacity(distinct)
        for index in counts.indices where counts[index] != 0 {
            entries.append((keys[index], counts[index] &+ (keys[index] == hotKey ? hotCount : 0)))
        }
        entries.sort { $0.key < $1.key }
        var perBucket = [[KeyValueCount]](repeating: [], count: buckets.count)
        for entry in entries where buckets.contains(entry.key >> 16) {
            perBucket[Int((entry.key >> 16) - buckets.lowerBound)].append(
                KeyValueCount(low: UInt16(truncatingIfNeeded: entry.key), count: entry.count))
        }
        return perBucket
    }
}
