import Base
import Compute

/// Exact selection of the `count` largest of a tensor's keys without
/// sorting the tensor (DESIGN.md, principle 4): two radix passes over the
/// chunks, 16 bits of the key each, find the cut-off key exactly. When the
/// cut-off key repeats more often than is needed, ties go to the lower
/// index, which takes each chunk's count of the cut-off key: the second
/// pass keeps the keys in the cut-off's bucket per chunk (their number is
/// known after the first pass) when they fit in the candidate limit, and a
/// third pass counts them otherwise.
///
/// With a sample divisor, a pass over the first 1/divisor of every chunk
/// comes first and predicts the buckets the cut-off will fall in. The one
/// full pass after it makes no histogram: it counts the keys above those
/// buckets and keeps the keys inside them, and when the prediction holds
/// (the cut-off's rank falls among those keys) they give the cut-off and
/// its ties. A wrong prediction costs that pass, then the passes run as
/// without one: the result is the same.
///
/// Keys are UInt32s ordered as numbers: the bit pattern of a non-negative
/// Float32 (`abs(x).bitPattern`) orders like the value, and its complement
/// orders like the negated value, so the same code selects smallest;
/// `orderedKey` maps Float32s of any sign.
public struct RankSelection: Sendable {
    enum Phase: Sendable { case sample, range, high, low, ties, done }

    /// How many keys are selected.
    public let count: Int
    let elementCount: Int
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
    /// The keys of one or a few buckets, per chunk, gathered by the pass
    /// that runs with them.
    private var candidates: KeyCandidates?
    let candidateLimit: Int

    /// Most distinct (chunk, bucket, value) candidates kept (8 bytes each):
    /// 8 MiB, within the fixed overhead whatever the budget.
    public static let defaultCandidateLimit = 1 << 20
    /// Tensors of at least this many keys get a sample pass in the task
    /// arithmetic methods: below it, the passes it saves cost little.
    public static let sampledElementThreshold = 1 << 20
    public static let defaultSampleDivisor = 16

    /// Whether every key is selected without looking.
    private let selectsEverything: Bool
    /// Order-statistic mode: only `cutoff` matters, so no tie pass.
    private let needsCutoffOnly: Bool
    /// The sample pass reads the first 1/sampleDivisor of every chunk.
    public let sampleDivisor: Int

    /// Selects `count` of `elementCount` keys (clamped to 0…elementCount).
    /// With `needsCutoff`, the passes run even when every key is selected,
    /// so that `cutoff` is the smallest key (order statistics).
    /// `candidateLimit`: most keys kept to skip a pass (0 keeps none and
    /// always runs every pass). `sampleDivisor` above 1 adds the sample
    /// pass.
    public init(
        count: Int, elementCount: Int, needsCutoff: Bool = false,
        candidateLimit: Int = RankSelection.defaultCandidateLimit, sampleDivisor: Int = 1
    ) {
        self.candidateLimit = candidateLimit
        self.elementCount = max(0, elementCount)
        self.count = max(0, min(count, elementCount))
        self.sampleDivisor = max(1, sampleDivisor)
        selectsEverything = self.count == elementCount && !needsCutoff
        needsCutoffOnly = needsCutoff
        if self.count == 0 || selectsEverything {
            phase = .done
        } else {
            phase = self.sampleDivisor > 1 && candidateLimit > 0 ? .sample : .high
        }
    }

    public var isDone: Bool { phase == .done }
    /// Whether the next pass is the sample pass, over the first
    /// 1/`sampleDivisor` of every chunk (`sampledRange`).
    public var isSampling: Bool { phase == .sample }
    /// In the pass after a sample (a counter pass), the predicted keys:
    /// keys above them are only counted, keys inside are kept as candidates
    /// (`PredictedKeys.keep`, then `storeCandidates`).
    public var rangeBounds: PredictedKeys? {
        guard phase == .range, let candidates else { return nil }
        return PredictedKeys(buckets: candidates.buckets)
    }

    /// Keeps the counts of one chunk's keys inside `rangeBounds`, after
    /// those already kept for the chunk.
    func storeCandidates(_ tally: KeyTally, chunkIndex: Int) {
        candidates?.store(tally.valueCounts(), chunkIndex: chunkIndex)
    }

    /// Whether the next pass needs a histogram (else a counter).
    var needsHistogram: Bool { phase == .sample || phase == .high || phase == .low }

    /// The part of a chunk's elements a sample pass reads.
    public static func sampledRange(_ range: Range<Int>, divisor: Int) -> Range<Int> {
        range.lowerBound..<range.lowerBound + (range.count + max(1, divisor) - 1) / max(1, divisor)
    }

    /// Accumulates one chunk's keys for the current pass (in the sample
    /// pass, the chunk's sampled part), whole or in consecutive pieces, in
    /// order, from one thread. `chunkIndex` is the chunk's place among the
    /// tensor's chunks.
    public func reduce(
        _ keys: UnsafeBufferPointer<UInt32>, histogram: UnsafeMutableBufferPointer<UInt64>?,
        counter: UnsafeMutablePointer<Int>?, chunkIndex: Int
    ) {
        switch phase {
        case .sample, .high:
            guard let histogram else { return }
            for key in keys { histogram[Int(key >> 16)] &+= 1 }
        case .range:
            guard let counter, let predicted = rangeBounds else { return }
            let kept = predicted.emptyTally()
            var above = 0
            for key in keys {
                if key > predicted.highest { above += 1 } else { predicted.keep(key, in: kept) }
            }
            counter.pointee += above
            storeCandidates(kept, chunkIndex: chunkIndex)
        case .low:
            guard let histogram else { return }
            let bucket = highBucket
            guard let candidates else {
                for key in keys where key >> 16 == bucket { histogram[Int(key & 0xFFFF)] &+= 1 }
                return
            }
            let kept = KeyTally(buckets: bucket..<bucket + 1)
            for key in keys where key >> 16 == bucket {
                histogram[Int(key & 0xFFFF)] &+= 1
                kept.add(key)
            }
            candidates.store(kept.valueCounts(), chunkIndex: chunkIndex)
        case .ties:
            guard let counter else { return }
            guard let base = keys.baseAddress else { return }
            counter.pointee += VectorLoops.markAbove(base, cutoff, includingEqual: false, nil, keys.count)
        case .done:
            return
        }
    }

    /// Finishes the current pass with its histogram (sample, high and low
    /// passes) or its per-chunk counts (tie pass).
    public mutating func finish(histogram: ArraySlice<UInt64>?, chunkCounts: [Int]?) {
        switch phase {
        case .sample:
            candidates = predictedCandidates(Array(histogram ?? []))
            phase = candidates == nil ? .high : .range
        case .range:
            // The prediction held if the cut-off's rank falls among the
            // candidates: then they hold its bucket's keys. Else the high
            // pass runs as without a prediction.
            let predicted = candidates
            candidates = nil
            phase = .high
            guard let predicted, let perBucket = predicted.bucketCounts() else { return }
            var above = (chunkCounts ?? []).reduce(0, +)
            for (slot, bucket) in predicted.buckets.enumerated().reversed() {
                if above + perBucket[slot] >= count {
                    guard above < count, let lows = predicted.lowHistogram(bucket: bucket) else { return }
                    highBucket = bucket
                    countAbove = above
                    finishLow(lows, candidates: predicted)
                    return
                }
                above += perBucket[slot]
            }
        case .high:
            let bins = Array(histogram ?? [])
            var above = 0
            var bucket = histogramBinCount - 1
            while bucket > 0, above + Int(bins[bucket]) < count { above += Int(bins[bucket]); bucket -= 1 }
            highBucket = UInt32(bucket)
            countAbove = above
            candidates =
                !needsCutoffOnly && candidateLimit > 0
                ? KeyCandidates(buckets: highBucket..<highBucket + 1, limit: candidateLimit) : nil
            phase = .low
        case .low:
            finishLow(Array(histogram ?? []), candidates: candidates)
        case .ties:
            setTieCounts(chunkCounts ?? [])
            phase = .done
        case .done:
            return
        }
    }

    /// Finds the cut-off inside the high bucket from the histogram of its
    /// keys' low halves, and the ties from the candidates when kept.
    private mutating func finishLow(_ bins: [UInt64], candidates: KeyCandidates?) {
        var above = countAbove
        var low = histogramBinCount - 1
        while low > 0, above + Int(bins[low]) < count { above += Int(bins[low]); low -= 1 }
        cutoff = highBucket << 16 | UInt32(low)
        tiesKept = count - above
        countAbove = above
        if Int(bins[low]) == tiesKept || needsCutoffOnly {
            phase = .done
        } else if let counts = candidates?.counts(of: cutoff) {
            setTieCounts(counts)
            phase = .done
        } else {
            phase = .ties
        }
        self.candidates = nil
    }

    private mutating func setTieCounts(_ counts: [Int]) {
        tiePrefix = [0]
        for count in counts { tiePrefix.append(tiePrefix[tiePrefix.count - 1] + count) }
    }

    /// How chunk `chunkIndex` selects when no key needs its index: the keys
    /// above `cutoff`, and those equal to it when `inclusive`. Nil for the
    /// one chunk that straddles the boundary among the cut-off's ties,
    /// whose ties must be looked at one by one (`select`).
    public func threshold(chunkIndex: Int) -> (cutoff: UInt32, inclusive: Bool)? {
        if count == 0 { return (.max, false) }
        if selectsEverything { return (0, true) }
        // Without a tie pass every key equal to the cut-off is kept. With
        // one, each chunk's count of them is known: a chunk whose ties all
        // come before the `tiesKept`-th keeps them all, one whose ties all
        // come after keeps none. Chunks past the last counted one hold no ties.
        let first = chunkIndex + 1 < tiePrefix.count ? tiePrefix[chunkIndex] : Int.max
        let tiesInChunk = chunkIndex + 1 < tiePrefix.count ? tiePrefix[chunkIndex + 1] - tiePrefix[chunkIndex] : 0
        if tiePrefix.isEmpty || (first <= tiesKept && tiesInChunk <= tiesKept - first) { return (cutoff, true) }
        if first >= tiesKept { return (cutoff, false) }
        return nil
    }

    /// Marks the selected keys of chunk `chunkIndex` with 1 in `mask`
    /// (others 0).
    public func select(
        _ keys: UnsafeBufferPointer<UInt32>, chunkIndex: Int, into mask: UnsafeMutableBufferPointer<UInt8>
    ) {
        guard let keyBase = keys.baseAddress, let maskBase = mask.baseAddress else { return }
        // Keys are compared eight lanes at a time (the keys above the
        // cut-off are half the tensor at density 0.5, in no order a branch
        // predictor could learn); only the chunk that straddles the
        // boundary among the ties looks at its ties one by one.
        if let (cut, inclusive) = threshold(chunkIndex: chunkIndex) {
            _ = VectorLoops.markAbove(keyBase, cut, includingEqual: inclusive, maskBase, keys.count)
            return
        }
        var equalCount = VectorLoops.markAbove(keyBase, cutoff, includingEqual: false, maskBase, keys.count)
        var ordinal = tiePrefix[chunkIndex]  // checked: threshold is nil only for a chunk with counted ties
        for index in keys.indices where keys[index] == cutoff {
            mask[index] = ordinal < tiesKept ? 1 : 0
            ordinal += 1
            equalCount -= 1
            if equalCount == 0 { break }
        }
    }
}
