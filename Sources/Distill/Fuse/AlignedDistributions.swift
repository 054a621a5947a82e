import Base

/// One teacher's next-token distribution at every target position of a
/// record, in the target vocabulary: where the alignment gives the
/// position a teacher position, that position's top-K mapped through the
/// vocabulary map (an id mapping to nothing, or to a target id already
/// listed, is dropped; the rest renormalised, a softmax over their
/// log-probabilities, as FuseLLM's collator does); elsewhere, or when
/// nothing maps, one-hot on the gold token (none at the last position,
/// which predicts nothing).
public struct AlignedDistributions: Sendable {
    /// Row i is `ids[rowStarts[i]..<rowStarts[i + 1]]`, in the order built.
    public var rowStarts: [Int] = [0]
    public var ids: [Int32] = []
    public var probabilities: [Double] = []
    /// The natural logarithms of `probabilities`.
    public var logProbabilities: [Double] = []
    /// Per position: whether the row is the teacher's (else a fallback).
    public var isAligned: [Bool] = []
    /// Per position: the share of the teacher's top-K probability dropped
    /// by the mapping (0 for a fallback).
    public var droppedMass: [Double] = []

    public var count: Int { isAligned.count }

    public func row(_ position: Int) -> Range<Int> { rowStarts[position]..<rowStarts[position + 1] }

    public init() {}

    public init(targetIDs: [Int32], alignment: TokenAlignment, teacher: CachedRecord, map: VocabularyMap) {
        let n = targetIDs.count, topK = teacher.topK
        rowStarts.reserveCapacity(n + 1)
        var relatives: [Double] = [], keptLogProbabilities: [Double] = []
        for position in 0..<n {
            let source = Int(alignment.sources[position])
            let start = ids.count
            var dropped = 0.0
            if source >= 0 && source < teacher.ids.count && topK > 0 {
                relatives.removeAll(keepingCapacity: true)
                keptLogProbabilities.removeAll(keepingCapacity: true)
                var total = 0.0
                let row = source * topK
                // Best first: the first entry is the largest, and every
                // exponential is taken relative to it (one per entry).
                let largest = Double(teacher.topLogProbabilities[row])
                for rank in 0..<topK {
                    let teacherID = teacher.topIDs[row + rank]
                    let value = Double(teacher.topLogProbabilities[row + rank])
                    let relative = Self.relativeProbability(value - largest)
                    total += relative
                    guard let targetID = map.target(of: teacherID), !ids[start...].contains(targetID) else { continue }
                    ids.append(targetID)
                    relatives.append(relative)
                    keptLogProbabilities.append(value)
                }
                if !relatives.isEmpty {
                    // Renormalised over the kept entries: a softmax of their log-probabilities.
                    var kept = relatives.reduce(0, +)
                    dropped = max(0, 1 - kept / total)
                    var base = largest
                    if kept == 0 {
                        // Every kept entry is below e^−700 of the dropped best one.
                        base = keptLogProbabilities.max() ?? 0  // checked: not empty
                        relatives = keptLogProbabilities.map { Self.relativeProbability($0 - base) }
                        kept = relatives.reduce(0, +)
                    }
                    let logKept = PortableMath.log(kept)
                    probabilities += relatives.map { $0 / kept }
                    logProbabilities += keptLogProbabilities.map { $0 - base - logKept }
                }
            }
            let aligned = ids.count > start
            if !aligned && position + 1 < n {
                ids.append(targetIDs[position + 1])
                probabilities.append(1)
                logProbabilities.append(0)
            }
            isAligned.append(aligned)
            droppedMass.append(aligned ? dropped : 0)
            rowStarts.append(ids.count)
        }
    }

    /// exp(difference) for a difference ≤ 0, the same bits on every machine;
    /// below −700 the probability is 0 in any sum here. Cached values are
    /// on a 1/512 grid, so their differences are mostly a table lookup.
    @inline(__always)
    static func relativeProbability(_ difference: Double) -> Double {
        let steps = -difference * 512
        if steps >= 0 && steps < Double(stepExponentials.count), let index = Int(exactly: steps) {
            return stepExponentials[index]
        }
        return difference < -700 ? 0 : PortableMath.exp(difference)
    }

    /// e^(−k/512) for k below 2^15 (differences down to −64 nats).
    static let stepExponentials: [Double] = (0..<(1 << 15)).map { PortableMath.exp(-Double($0) / 512) }

    /// Every position its own source, every token paired with itself.
    static func diagonal(_ count: Int) -> TokenAlignment {
        var alignment = TokenAlignment(targetCount: count)
        alignment.sources = (0..<count).map { Int32($0) }
        alignment.oneToOne = alignment.sources
        alignment.pairedTargets = alignment.sources
        alignment.pairedTeachers = alignment.sources
        return alignment
    }
}
