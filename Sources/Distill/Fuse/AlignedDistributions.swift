import Foundation

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
        var logProbabilities: [Double] = []
        for position in 0..<n {
            let source = Int(alignment.sources[position])
            let start = ids.count
            var dropped = 0.0
            if source >= 0 && source < teacher.ids.count && topK > 0 {
                logProbabilities.removeAll(keepingCapacity: true)
                var total = 0.0, kept = 0.0
                for rank in 0..<topK {
                    let teacherID = teacher.topIDs[source * topK + rank]
                    let value = Double(teacher.topLogProbabilities[source * topK + rank])
                    total += exp(value)
                    guard let targetID = map.target(of: teacherID), !ids[start...].contains(targetID) else { continue }
                    ids.append(targetID)
                    logProbabilities.append(value)
                    kept += exp(value)
                }
                if !logProbabilities.isEmpty {
                    let largest = logProbabilities.max() ?? 0  // checked: not empty
                    let weights = logProbabilities.map { exp($0 - largest) }
                    let sum = weights.reduce(0, +)
                    probabilities += weights.map { $0 / sum }
                    dropped = total > 0 ? max(0, 1 - kept / total) : 0
                }
            }
            let aligned = ids.count > start
            if !aligned && position + 1 < n {
                ids.append(targetIDs[position + 1])
                probabilities.append(1)
            }
            isAligned.append(aligned)
            droppedMass.append(aligned ? dropped : 0)
            rowStarts.append(ids.count)
        }
    }

    /// A teacher that is the target itself: its own top-K, renormalised.
    public init(own record: CachedRecord) {
        self.init(
            targetIDs: record.ids, alignment: Self.diagonal(record.ids.count), teacher: record,
            map: VocabularyMap.identity(count: Int(record.topIDs.max() ?? 0) + 1))
    }

    static func diagonal(_ count: Int) -> TokenAlignment {
        var alignment = TokenAlignment(targetCount: count)
        alignment.sources = (0..<count).map { Int32($0) }
        alignment.oneToOne = alignment.sources
        return alignment
    }
}
