import Base

/// How often each teacher token was aligned with each target token over
/// a data set, and the vocabulary map FuseChat 2 learns from the counts
/// (`--map stat`, computed in a first pass over the data).
public struct AlignmentCounts: Sendable {
    /// Key: teacher id << 32 | target id.
    public private(set) var counts: [UInt64: Int32] = [:]

    public init() {}

    /// Counts every pair of `alignment` by the two tokens' ids.
    public mutating func add(_ alignment: TokenAlignment, target: FusionTokens, teacher: FusionTokens) {
        for (targetPosition, teacherPosition) in zip(alignment.pairedTargets, alignment.pairedTeachers) {
            let teacherID = UInt32(bitPattern: teacher.ids[Int(teacherPosition)])
            let targetID = UInt32(bitPattern: target.ids[Int(targetPosition)])
            counts[UInt64(teacherID) << 32 | UInt64(targetID), default: 0] &+= 1
        }
    }

    public mutating func merge(_ other: AlignmentCounts) {
        for (key, count) in other.counts { counts[key, default: 0] &+= count }
    }

    /// One learned entry: a teacher id without an exact match, the target
    /// id chosen for it, and how often the two were aligned.
    public struct Choice: Sendable, Equatable {
        public let teacherID: Int32
        public let targetID: Int32
        public let count: Int32
    }

    /// For every teacher id that has no exact match (`exact[id] < 0`) and
    /// was aligned with something: the aligned target token with the
    /// smallest weighted distance, FuseChat 2's rule: edit distance of the
    /// two tokens without spaces, times 0.1 when one contains the other,
    /// times sigmoid(count); ties to the smallest target id. Ascending by
    /// teacher id.
    public func choices(exact: [Int32], teacher: VocabularyBytes, target: VocabularyBytes) -> [Choice] {
        var choices: [Choice] = []
        var best: (score: Double, choice: Choice)?
        for key in counts.keys.sorted() {
            let teacherID = Int32(bitPattern: UInt32(truncatingIfNeeded: key >> 32))
            let targetID = Int32(bitPattern: UInt32(truncatingIfNeeded: key))
            guard Int(teacherID) < exact.count, exact[Int(teacherID)] < 0 else { continue }
            if let current = best, current.choice.teacherID != teacherID {
                choices.append(current.choice)
                best = nil
            }
            let count = counts[key] ?? 0  // checked: key comes from counts
            let score = Self.weightedDistance(teacher.withoutSpaces(teacherID), target.withoutSpaces(targetID), count)
            if best.map({ score < $0.score }) ?? true {
                best = (score, Choice(teacherID: teacherID, targetID: targetID, count: count))
            }
        }
        if let best { choices.append(best.choice) }
        return choices
    }

    static func weightedDistance(_ a: [UInt8], _ b: [UInt8], _ count: Int32) -> Double {
        let contained = contains(a, b) || contains(b, a)
        let distance = Double(EditDistance.distance(a, b)) * (contained ? 0.1 : 1)
        return distance * (1 / (1 + PortableMath.exp(-Double(count))))
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        if needle.isEmpty { return true }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}
