/// How a teacher's tokens of one record line up with the target's: for
/// each target position, the teacher position whose next-token
/// distribution stands for it (or none, and the position falls back to
/// one-hot on the gold token); which target tokens pair one-to-one with a
/// teacher token; and every pair the alignment made, which the
/// statistical vocabulary map counts.
public struct TokenAlignment: Sendable, Equatable {
    /// Per target position: the teacher position, or −1.
    public var sources: [Int32]
    /// Per target token: the teacher token it pairs one-to-one with, or −1.
    public var oneToOne: [Int32]
    /// Pairs (target token, teacher token), target-major, ascending.
    public var pairedTargets: [Int32] = []
    public var pairedTeachers: [Int32] = []

    public init(targetCount: Int) {
        sources = [Int32](repeating: -1, count: targetCount)
        oneToOne = [Int32](repeating: -1, count: targetCount)
    }

    mutating func pair(target: Int, teacher: Int) {
        pairedTargets.append(Int32(target))  // checked: record positions are below 2^20
        pairedTeachers.append(Int32(teacher))
    }
}

/// The two ways of aligning tokenisations (`--align`).
public enum AlignmentMethod: String, Sendable, CaseIterable {
    /// Character offsets into the shared content: exact.
    case offsets
    /// FuseLLM's dynamic time warping on token strings.
    case dtw
}
