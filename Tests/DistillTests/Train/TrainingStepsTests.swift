import Distill
import Testing

/// Steps group whole records in file order up to the batch's tokens.
@Suite struct TrainingStepsTests {
    @Test func groupsWholeRecordsUpToTheBatchTokens() {
        let steps = TrainingSteps(tokenCounts: [30, 30, 30, 100, 10], batchTokens: 64, steps: nil, epochs: 2)
        #expect(steps.groups == [0..<2, 2..<3, 3..<4, 4..<5])
        #expect(steps.totalSteps == 8)
        #expect(steps.records(at: 5) == 2..<3)
    }

    @Test func stepsCycleOverTheData() {
        let steps = TrainingSteps(tokenCounts: [10, 10, 10], batchTokens: 20, steps: 5, epochs: 1)
        #expect(steps.totalSteps == 5)
        #expect((0..<5).map { steps.records(at: $0) } == [0..<2, 2..<3, 0..<2, 2..<3, 0..<2])
    }
}
