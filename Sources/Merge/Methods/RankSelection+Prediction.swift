import Base

extension RankSelection {
    /// The buckets the cut-off falls in with high confidence, from the
    /// sample's histogram, as candidates for the range pass to keep.
    func predictedCandidates(_ bins: [UInt64]) -> KeyCandidates? {
        let sampled = Double(bins.reduce(0, +))
        guard sampled > 0, elementCount > 0 else { return nil }
        let fraction = Double(count) / Double(elementCount)
        let rank = fraction * sampled
        // Four standard deviations of a sample quantile's rank, plus slack
        // for samples that are not independent (rows of one chunk). A miss
        // (about one selection in 10,000) costs that tensor its radix passes.
        let margin = 4 * (rank * (1 - fraction)).squareRoot() + 0.0002 * sampled + 16
        func bucket(holdingRank target: Double) -> Int {
            var seen = 0.0
            var bucket = histogramBinCount - 1
            while bucket > 0 {
                seen += Double(bins[bucket])
                if seen >= target { break }
                bucket -= 1
            }
            return bucket
        }
        // Near either end the sample cannot bound the cut-off: keep up to the end.
        let highest = rank - margin < 1 ? histogramBinCount - 1 : bucket(holdingRank: rank - margin)
        let lowest = rank + margin >= sampled ? 0 : bucket(holdingRank: rank + margin)
        // However many keys fall in range, their distinct values may fit
        // (ties): the range pass counts them, and falls back if they do not.
        return KeyCandidates(buckets: UInt32(lowest)..<UInt32(highest) + 1, limit: candidateLimit)
    }
}

/// The keys a sample predicts a cut-off between: whole buckets (high
/// halves), from the lowest key of the first to the highest of the last.
public struct PredictedKeys: Sendable {
    public let buckets: Range<UInt32>
    public var lowest: UInt32 { buckets.lowerBound << 16 }
    public var highest: UInt32 { (buckets.upperBound << 16) &- 1 }

    /// An empty tally of these keys, for `keep`.
    func emptyTally() -> KeyTally { KeyTally(buckets: buckets) }

    /// Counts `key` in `tally` if it is inside.
    @inline(__always)
    func keep(_ key: UInt32, in tally: KeyTally) {
        if key &- lowest <= highest &- lowest { tally.add(key) }
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
