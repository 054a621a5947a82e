/// One training sequence: its tokens, which next-token predictions count
/// toward the loss, and optionally a teacher's sparse distribution at each
/// position (the top-K of a logit cache).
public struct TrainingRecord: Sendable, Equatable {
    public let ids: [Int32]
    /// `ids.count − 1` flags: position i's prediction of token i + 1 counts.
    public let lossMask: [Bool]
    /// Per position (`ids.count − 1` of them, or none): the teacher's token ids…
    public let targetIDs: [[Int32]]
    /// …and their log-probabilities, as many as the ids at each position.
    public let targetLogProbabilities: [[Float]]

    public init(ids: [Int32], lossMask: [Bool], targetIDs: [[Int32]] = [], targetLogProbabilities: [[Float]] = []) {
        self.ids = ids
        self.lossMask = lossMask
        self.targetIDs = targetIDs
        self.targetLogProbabilities = targetLogProbabilities
    }

    /// Whether the record carries a teacher distribution.
    public var hasTargets: Bool { !targetIDs.isEmpty }

    /// Refuses a record the loss cannot be computed over; `index` names it.
    func check(index: Int, vocabularySize: Int) throws(ModelError) {
        guard ids.count >= 2 else { throw .emptyRecord(record: "\(index)", tokens: ids.count) }
        for id in ids where id < 0 || Int(id) >= vocabularySize {
            throw .tokenOutOfRange(id: Int(id), vocabularySize: vocabularySize)
        }
        let positions = ids.count - 1
        guard lossMask.count == positions else {
            throw .malformedTrainingRecord(
                record: index, problem: "\(lossMask.count) loss-mask flags for \(ids.count) tokens (need \(positions))")
        }
        guard hasTargets || targetLogProbabilities.isEmpty else {
            throw .malformedTrainingRecord(record: index, problem: "target log-probabilities without target ids")
        }
        guard hasTargets else { return }
        guard targetIDs.count == positions, targetLogProbabilities.count == positions else {
            throw .malformedTrainingRecord(
                record: index,
                problem:
                    "targets for \(targetIDs.count) and \(targetLogProbabilities.count) positions (need \(positions))")
        }
        for (position, (targetIDs, logProbabilities)) in zip(targetIDs, targetLogProbabilities).enumerated() {
            guard targetIDs.count == logProbabilities.count, !targetIDs.isEmpty || !lossMask[position] else {
                throw .malformedTrainingRecord(
                    record: index,
                    problem: "position \(position) has \(targetIDs.count) target ids and "
                        + "\(logProbabilities.count) log-probabilities")
            }
            for id in targetIDs where id < 0 || Int(id) >= vocabularySize {
                throw .tokenOutOfRange(id: Int(id), vocabularySize: vocabularySize)
            }
        }
    }
}
