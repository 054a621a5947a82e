/// The optimizer steps of a run: records in file order, cut into groups of
/// about `batchTokens` tokens (whole records; a record longer than that is
/// a group alone), the groups repeated epoch after epoch.
public struct TrainingSteps: Sendable, Equatable {
    /// The record ordinals of each group of one epoch.
    public let groups: [Range<Int>]
    public let totalSteps: Int

    /// Groups `tokenCounts` (one per record, in file order); `steps` fixes
    /// the count, else `epochs` passes.
    public init(tokenCounts: [Int], batchTokens: Int, steps: Int?, epochs: Int) {
        groups = Self.groups(tokenCounts.indices, tokenCounts: tokenCounts, tokens: batchTokens)
        totalSteps = steps ?? groups.count * epochs
    }

    /// `records` cut, in order, into groups of whole records of at most
    /// `tokens` tokens (a longer record is a group alone).
    public static func groups(_ records: Range<Int>, tokenCounts: [Int], tokens limit: Int) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = records.lowerBound
        var tokens = 0
        for ordinal in records {
            if ordinal > start && tokens + tokenCounts[ordinal] > limit {
                groups.append(start..<ordinal)
                start = ordinal
                tokens = 0
            }
            tokens += tokenCounts[ordinal]
        }
        if start < records.upperBound { groups.append(start..<records.upperBound) }
        return groups
    }

    /// The records of step `step` (counted from 0).
    public func records(at step: Int) -> Range<Int> { groups[step % groups.count] }
}
