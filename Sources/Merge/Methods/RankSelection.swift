import Synchronization

/// Exact selection of the `count` largest of a tensor's keys without
/// sorting the tensor (DESIGN.md, principle 4): two radix passes over the
/// chunks, 16 bits of the key each, find the cut-off key exactly. When the
/// cut-off key repeats more often than is needed, ties go to the lower
/// index, which takes each chunk's count of the cut-off key: the second
/// pass keeps the low halves of the keys in the cut-off's bucket per chunk
/// (their number is known after the first pass) when they fit in the
/// tie-candidate limit, and a third pass counts them otherwise.
///
/// Keys are UInt32s ordered as numbers: the bit pattern of a non-negative
/// Float32 (`abs(x).bitPattern`) orders like the value, and its complement
/// orders like the negated value, so the same code selects smallest;
/// `orderedKey` maps Float32s of any sign.
public struct RankSelection: Sendable {
    enum Phase: Sendable { case high, low, ties, done }

    /// How many keys are selected.
    public let count: Int
    private(set) var phase: Phase
    private var highBucket: UInt32 = 0
    /// Keys above the bucket (after the high pass) or above the cut-off.
    private var countAbove = 0
    /// The cut-off key: selected are keys above it, and the first
    /// `tiesKept` keys equal to it in index order.
    public private(set) var cutoff: UInt32 = 0
    private var tiesKept = 0
    /// Per chunk, how many keys equal to the cut-off come before it, and
    /// then the total: chunk c holds `tiePrefix[c + 1] - tiePrefix[c]`.
    private var tiePrefix: [Int] = []
    /// The low halves of the keys in the cut-off's bucket, per chunk,
    /// gathered by the second pass when there are few enough.
    private var candidates: TieCandidates?
    private let tieCandidateLimit: Int

    /// Most keys of the cut-off's bucket kept by the second pass (2 bytes
    /// each): 8 MiB, within the fixed overhead whatever the budget.
    public static let defaultTieCandidateLimit = 4 << 20

    /// Whether every key is selected without looking.
    private let selectsEverything: Bool
    /// Order-statistic mode: only `cutoff` matters, so no tie pass.
    private let needsCutoffOnly: Bool

    /// Selects `count` of `elementCount` keys (clamped to 0…elementCount).
    /// With `needsCutoff`, the passes run even when every key is selected,
    /// so that `cutoff` is the smallest key (order statistics).
    /// `tieCandidateLimit`: most cut-off bucket keys kept to count ties
    /// without a third pass (0 always runs the pass).
    public init(count: Int, elementCount: Int, needsCutoff: Bool = false, tieCandidateLimit: Int = RankSelection.defaultTieCandidateLimit) {
        self.tieCandidateLimit = tieCandidateLimit
        self.count = max(0, min(count, elementCount))
        selectsEverything = self.count == elementCount && !needsCutoff
        needsCutoffOnly = needsCutoff
        phase = self.count == 0 || selectsEverything ? .done : .high
    }

    public var isDone: Bool { phase == .done }
    /// Whether the next pass needs a histogram (else a counter).
    var needsHistogram: Bool { phase == .high || phase == .low }

    /// Accumulates one chunk's keys for the current pass.
    /// `chunkIndex` is the chunk's place among the tensor's chunks.
    public func reduce(_ keys: UnsafeBufferPointer<UInt32>, histogram: UnsafeMutableBufferPointer<UInt64>?, counter: UnsafeMutablePointer<Int>?, chunkIndex: Int) {
        switch phase {
        case .high:
            guard let histogram else { return }
            for key in keys { histogram[Int(key >> 16)] &+= 1 }
        case .low:
            guard let histogram else { return }
            let bucket = highBucket
            guard let candidates else {
                for key in keys where key >> 16 == bucket { histogram[Int(key & 0xFFFF)] &+= 1 }
                return
            }
            var lows: [UInt16] = []
            for key in keys where key >> 16 == bucket {
                histogram[Int(key & 0xFFFF)] &+= 1
                lows.append(UInt16(truncatingIfNeeded: key))
            }
            if !lows.isEmpty { candidates.store(lows, chunkIndex: chunkIndex) }
        case .ties:
            guard let counter else { return }
            guard let base = keys.baseAddress else { return }
            counter.pointee += VectorLoops.markAbove(base, cutoff, includingEqual: false, nil, keys.count)
        case .done:
            return
        }
    }

    /// Finishes the current pass with its histogram (high and low passes)
    /// or its per-chunk counts (tie pass).
    public mutating func finish(histogram: ArraySlice<UInt64>?, chunkCounts: [Int]?) {
        switch phase {
        case .high:
            let bins = Array(histogram ?? [])
            var above = 0
            var bucket = histogramBinCount - 1
            while bucket > 0, above + Int(bins[bucket]) < count { above += Int(bins[bucket]); bucket -= 1 }
            highBucket = UInt32(bucket)
            countAbove = above
            if !needsCutoffOnly, bins[bucket] <= UInt64(tieCandidateLimit) { candidates = TieCandidates() }
            phase = .low
        case .low:
            let bins = Array(histogram ?? [])
            var above = countAbove
            var low = histogramBinCount - 1
            while low > 0, above + Int(bins[low]) < count { above += Int(bins[low]); low -= 1 }
            cutoff = highBucket << 16 | UInt32(low)
            tiesKept = count - above
            countAbove = above
            if Int(bins[low]) == tiesKept || needsCutoffOnly {
                phase = .done
            } else if let candidates {
                setTieCounts(candidates.counts(of: UInt16(low)))
                phase = .done
            } else {
                phase = .ties
            }
            candidates = nil
        case .ties:
            setTieCounts(chunkCounts ?? [])
            phase = .done
        case .done:
            return
        }
    }

    private mutating func setTieCounts(_ counts: [Int]) {
        tiePrefix = [0]
        for count in counts { tiePrefix.append(tiePrefix[tiePrefix.count - 1] + count) }
    }

    /// Marks the selected keys of chunk `chunkIndex` with 1 in `mask`
    /// (others 0).
    public func select(_ keys: UnsafeBufferPointer<UInt32>, chunkIndex: Int, into mask: UnsafeMutableBufferPointer<UInt8>) {
        if count == 0 { mask.update(repeating: 0); return }
        if selectsEverything { mask.update(repeating: 1); return }
        guard let keyBase = keys.baseAddress, let maskBase = mask.baseAddress else { return }
        let cut = cutoff
        // Keys are compared eight lanes at a time (the keys above the
        // cut-off are half the tensor at density 0.5, in no order a branch
        // predictor could learn). Without a tie pass every key equal to the
        // cut-off is kept. With one, each chunk's count of them is known: a
        // chunk whose ties all come before the `tiesKept`-th keeps them all,
        // one whose ties all come after keeps none, and only the one chunk
        // that straddles the boundary looks at its ties one by one.
        // Chunks past the last counted one hold no ties.
        let first = chunkIndex + 1 < tiePrefix.count ? tiePrefix[chunkIndex] : Int.max
        let tiesInChunk = chunkIndex + 1 < tiePrefix.count ? tiePrefix[chunkIndex + 1] - tiePrefix[chunkIndex] : 0
        let kept = tiesKept
        let keepsAllTies = tiePrefix.isEmpty || (first <= kept && tiesInChunk <= kept - first)
        var equalCount = VectorLoops.markAbove(keyBase, cut, includingEqual: keepsAllTies, maskBase, keys.count)
        guard !keepsAllTies, first < kept, equalCount > 0 else { return }
        var ordinal = first
        for index in keys.indices where keys[index] == cut {
            mask[index] = ordinal < kept ? 1 : 0
            ordinal += 1
            equalCount -= 1
            if equalCount == 0 { break }
        }
    }
}

/// A Float32 as a key that orders like the value for every sign: negative
/// values have all bits flipped, non-negative ones only the sign bit.
@inline(__always)
func orderedKey(_ value: Float) -> UInt32 {
    let bits = value.bitPattern
    return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
}

/// The Float32 an `orderedKey` came from.
@inline(__always)
func value(ofOrderedKey key: UInt32) -> Float {
    Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
}

/// The low halves of the keys in one bucket, per chunk, kept by workers of
/// the second radix pass (one store per chunk, behind one Mutex).
final class TieCandidates: Sendable {
    private let lowsByChunk = Mutex<[Int: [UInt16]]>([:])

    func store(_ lows: [UInt16], chunkIndex: Int) {
        lowsByChunk.withLock { $0[chunkIndex] = lows }
    }

    /// Per chunk (up to the last that has a candidate), how many keys have `low`.
    func counts(of low: UInt16) -> [Int] {
        lowsByChunk.withLock { lowsByChunk in
            var counts = [Int](repeating: 0, count: (lowsByChunk.keys.max() ?? -1) + 1)
            for (chunk, lows) in lowsByChunk { counts[chunk] = lows.reduce(0) { $0 + ($1 == low ? 1 : 0) } }
            return counts
        }
    }
}
