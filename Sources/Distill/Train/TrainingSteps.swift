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
        var groups: [Range<Int>] = []
        var start = 0
        var tokens = 0
        for (ordinal, count) in tokenCounts.enumerated() {
            if ordinal > start && tokens + count > batchTokens {
                groups.append(start..<ordinal)
                start = ordinal
                tokens = 0
            }
            tokens += count
        }
        if start < tokenCounts.count { groups.append(start..<tokenCounts.count) }
        self.groups = groups
        totalSteps = steps ?? groups.count * epochs
    }

    /// The records of step `step` (counted from 0).
    public func records(at step: Int) -> Range<Int> { groups[step % groups.count] }
}
