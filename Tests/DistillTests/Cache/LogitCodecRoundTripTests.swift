import Distill
import Model
import Testing

/// Decodes `bytes` as a top-K record.
func decode(_ bytes: [UInt8], vocabularySize: Int) throws -> CachedRecord {
    try bytes.withUnsafeBytes { try LogitCodec.decode($0, vocabularySize: vocabularySize) }
}

/// Checks `decoded` against what was encoded: ids, mask, K and top ids
/// exact, every value within the bound (after the documented floor).
func expectFaithful(_ decoded: CachedRecord, _ scores: TokenScores, _ mask: [Bool]) {
    #expect(decoded.ids == scores.ids.map { Int32($0) })
    #expect(decoded.lossMask == mask)
    #expect(decoded.topK == scores.topK)
    #expect(decoded.topIDs == scores.topIDs)
    expectClose(decoded.topLogProbabilities, scores.topLogProbabilities)
    expectClose(decoded.goldLogProbabilities, scores.goldLogProbabilities)
    expectClose(decoded.logSumExps, scores.logSumExps)
}

/// Every value within 1e-3 of the exact one, log-probabilities below the floor taken as the floor.
func expectClose(_ decoded: [Float], _ exact: [Double]) {
    #expect(decoded.count == exact.count)
    let worst = zip(decoded, exact).map { abs(Double($0) - max($1, -32768)) }.max() ?? 0
    #expect(worst <= LogitCodec.maximumError)
    #expect(worst < 1e-3)
}

struct LogitCodecRoundTripTests {
    @Test(arguments: [(1, 10), (2, 10), (7, 3), (180, 10), (60, 50), (40, 0), (1, 0)])
    func roundTripKeepsIDsExactAndValuesWithinTheBound(tokenCount: Int, topK: Int) throws {
        for seed in UInt64(1)...4 {
            let (scores, mask) = SyntheticScores.record(
                seed: seed, tokenCount: tokenCount, topK: topK, vocabularySize: 151_936)
            let bytes = try LogitCodec.encode(scores, lossMask: mask, vocabularySize: 151_936)
            expectFaithful(try decode(bytes, vocabularySize: 151_936), scores, mask)
        }
    }

    @Test func encodingIsAPureFunctionOfTheInput() throws {
        let (scores, mask) = SyntheticScores.record(seed: 9, tokenCount: 50, topK: 10, vocabularySize: 49_152)
        let first = try LogitCodec.encode(scores, lossMask: mask, vocabularySize: 49_152)
        let second = try LogitCodec.encode(scores, lossMask: mask, vocabularySize: 49_152)
        #expect(first == second)
    }

    /// The bytes of a fixed small record: any change to the format, or to
    /// the arithmetic on another machine, shows here.
    @Test func bytesOfAFixedRecordArePinned() throws {
        let scores = TokenScores(
            ids: [5, 7, 5], topK: 2, goldLogProbabilities: [-0.25, -3], logSumExps: [12.5, 13, 11.75],
            topIDs: [7, 9, 5, 7, 7, 5], topLogProbabilities: [-0.25, -1.5, -0.5, -0.75, -0.125, -2])
        let bytes = try LogitCodec.encode(scores, lossMask: [false, true], vocabularySize: 100)
        let expected: [UInt8] = [
            1, 3, 2, 7, 143, 88, 209, 8, 93, 12, 109, 68, 96, 26, 88, 36, 2, 211, 64, 99,
            2, 11, 76, 36, 73, 96, 130, 9, 83, 39, 96, 0, 19, 137, 238, 96, 219, 2, 27, 144,
            232, 96, 0, 17, 222, 193, 23, 45, 0, 0, 8, 0, 0, 128, 0, 252, 7,
        ]
        #expect(bytes == expected, "\(bytes)")
        expectFaithful(try decode(bytes, vocabularySize: 100), scores, [false, true])
    }

    @Test func lowLogProbabilitiesAreStoredAtTheFloor() throws {
        let scores = TokenScores(
            ids: [1, 2], topK: 2, goldLogProbabilities: [-.infinity], logSumExps: [20, 30],
            topIDs: [3, 4, 3, 4], topLogProbabilities: [-1, -40_000, -2, -.infinity])
        let decoded = try decode(
            try LogitCodec.encode(scores, lossMask: [true], vocabularySize: 10), vocabularySize: 10)
        #expect(decoded.topLogProbabilities == [-1, -32768, -2, -32768])
        #expect(decoded.goldLogProbabilities == [-32768])
    }

    @Test func goldOutsideTheTopKKeepsItsOwnValue() throws {
        let scores = TokenScores(
            ids: [1, 9], topK: 2, goldLogProbabilities: [-7.3], logSumExps: [25.123456, 24],
            topIDs: [3, 4, 3, 4], topLogProbabilities: [-0.1, -2.2, -0.3, -0.4])
        let decoded = try decode(
            try LogitCodec.encode(scores, lossMask: [true], vocabularySize: 10), vocabularySize: 10)
        expectFaithful(decoded, scores, [true])
    }

    @Test func goldInTheTopKWithAnotherValueKeepsItsOwnValue() throws {
        // Same id as rank 0, but a log-probability a few steps away.
        let scores = TokenScores(
            ids: [1, 3], topK: 2, goldLogProbabilities: [-0.2], logSumExps: [25, 24],
            topIDs: [3, 4, 3, 4], topLogProbabilities: [-0.1, -2.2, -0.3, -0.4])
        let decoded = try decode(
            try LogitCodec.encode(scores, lossMask: [false], vocabularySize: 10), vocabularySize: 10)
        expectFaithful(decoded, scores, [false])
    }

    @Test func largeAndNegativeLogSumExpsKeepTheBound() throws {
        let scores = TokenScores(
            ids: [0, 0, 0], topK: 0, goldLogProbabilities: [-0.0004, -5], logSumExps: [32767.9, -32767.9, 0.0009],
            topIDs: [], topLogProbabilities: [])
        let decoded = try decode(
            try LogitCodec.encode(scores, lossMask: [true, true], vocabularySize: 1), vocabularySize: 1)
        expectFaithful(decoded, scores, [true, true])
    }
}
