import Distill
import Foundation
import Model
import Testing

/// Sampled draws become the self-normalised importance weights of
/// arXiv 2503.16870: draw frequencies at temperature 1, corrected by
/// p^(1 − 1/T) otherwise, one entry set per predicting position.
@Suite struct SampledTargetsTests {
    /// Three tokens: position 0 drew tokens 1, 2, 3 (2, 1 and 1 times),
    /// position 1 drew token 4 four times, the last position token 6.
    static let record = SampledRecord<Float>(
        ids: [5, 7, 9], lossMask: [true, true], goldLogProbabilities: [-1, -2], logSumExps: [0, 0, 0],
        positions: [
            SampledPosition(ids: [1, 2, 3], counts: [2, 1, 1], logProbabilities: [log(0.5), log(0.2), log(0.1)]),
            SampledPosition(ids: [4], counts: [4], logProbabilities: [log(0.9)]),
            SampledPosition(ids: [6], counts: [4], logProbabilities: [log(0.3)]),
        ])

    func weights(_ temperature: Double) -> [[Double]] {
        let training = SampledTargets.trainingRecord(Self.record, lossMask: [true, true], temperature: temperature)
        return training.targetLogProbabilities.map { $0.map { exp(Double($0)) } }
    }

    func expectClose(_ found: [[Double]], _ expected: [[Double]]) {
        #expect(found.count == expected.count)
        for (row, expectedRow) in zip(found, expected) {
            #expect(row.count == expectedRow.count)
            for (value, expectedValue) in zip(row, expectedRow) {
                #expect(abs(value - expectedValue) < 1e-6, "\(found) against \(expected)")
            }
        }
    }

    @Test func atTemperatureOneTheWeightsAreTheDrawFrequencies() {
        expectClose(weights(1), [[0.5, 0.25, 0.25], [1]])
    }

    @Test func atAnotherTemperatureTheDrawsAreReweightedByTheTeacherOverTheProposal() {
        // q ∝ p^(1/T), so p/q ∝ p^(1 − 1/T): at T = 2 each count times √p, at T = 0.5 over p.
        for (temperature, raw) in [
            (2.0, [2 * 0.5.squareRoot(), 0.2.squareRoot(), 0.1.squareRoot()]), (0.5, [4, 5, 10]),
        ] {
            let total = raw.reduce(0, +)
            expectClose(weights(temperature), [raw.map { $0 / total }, [1]])
        }
    }

    @Test func theRecordKeepsTheDrawnTokensOfEveryPredictingPosition() {
        let training = SampledTargets.trainingRecord(Self.record, lossMask: [false, true], temperature: 1)
        #expect(training.ids == [5, 7, 9])
        #expect(training.lossMask == [false, true])
        #expect(training.targetIDs == [[1, 2, 3], [4]])
    }

    @Test func noEntriesGiveNoWeights() {
        #expect(SampledTargets.logWeights(counts: [], logProbabilities: [], temperature: 2).isEmpty)
    }
}
