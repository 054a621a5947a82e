import Distill
import Testing

/// Decodes `bytes` as a sampled record.
func decodeSampled(_ bytes: [UInt8], vocabularySize: Int) throws -> SampledRecord<Float> {
    try bytes.withUnsafeBytes { try LogitCodec.decodeSampled($0, vocabularySize: vocabularySize) }
}

struct SampledCodecTests {
    @Test(arguments: [(1, 4), (2, 1), (90, 12), (30, 0)])
    func roundTripKeepsIDsAndCountsExactAndValuesWithinTheBound(tokenCount: Int, maximumEntries: Int) throws {
        for seed in UInt64(1)...4 {
            let record = SyntheticScores.sampled(
                seed: seed, tokenCount: tokenCount, maximumEntries: maximumEntries, vocabularySize: 151_936)
            let bytes = try LogitCodec.encodeSampled(record, vocabularySize: 151_936)
            #expect(try LogitCodec.encodeSampled(record, vocabularySize: 151_936) == bytes)
            let decoded = try decodeSampled(bytes, vocabularySize: 151_936)
            #expect(decoded.ids == record.ids)
            #expect(decoded.lossMask == record.lossMask)
            #expect(decoded.positions.map(\.ids) == record.positions.map(\.ids))
            #expect(decoded.positions.map(\.counts) == record.positions.map(\.counts))
            expectClose(decoded.positions.flatMap(\.logProbabilities), record.positions.flatMap(\.logProbabilities))
            expectClose(decoded.goldLogProbabilities, record.goldLogProbabilities)
            expectClose(decoded.logSumExps, record.logSumExps)
        }
    }

    @Test func aTopKPayloadIsNotASampledOne() throws {
        let (scores, mask) = SyntheticScores.record(seed: 3, tokenCount: 5, topK: 2, vocabularySize: 50)
        let bytes = try LogitCodec.encode(scores, lossMask: mask, vocabularySize: 50)
        #expect(throws: LogitCacheError.malformed(field: "kind byte", problem: "1 (expected 2)")) {
            try decodeSampled(bytes, vocabularySize: 50)
        }
    }

    @Test func everyTruncationAndTrailingByteIsRefused() throws {
        let record = SyntheticScores.sampled(seed: 8, tokenCount: 12, maximumEntries: 5, vocabularySize: 500)
        let bytes = try LogitCodec.encodeSampled(record, vocabularySize: 500)
        for length in 0..<bytes.count {
            #expect(throws: LogitCacheError.self) { try decodeSampled(Array(bytes[..<length]), vocabularySize: 500) }
        }
        #expect(throws: LogitCacheError.trailingBytes(count: 1)) { try decodeSampled(bytes + [1], vocabularySize: 500) }
    }

    /// Any byte flipped or random bytes: an error or a record, never a crash.
    @Test func damagedSampledPayloadsNeverCrash() throws {
        let record = SyntheticScores.sampled(seed: 8, tokenCount: 12, maximumEntries: 5, vocabularySize: 500)
        let bytes = try LogitCodec.encodeSampled(record, vocabularySize: 500)
        var refused = 0
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0x24
            if (try? decodeSampled(damaged, vocabularySize: 500)) == nil { refused += 1 }
        }
        #expect(refused > bytes.count / 3)
        var random = SplitMix64(state: 7)
        for _ in 0..<300 {
            let body = (0..<random.below(80)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            #expect(throws: LogitCacheError.self) {
                try decodeSampled(
                    [2, UInt8(1 + random.below(100)), UInt8(random.below(60))] + body, vocabularySize: 500)
            }
        }
    }

    @Test func zeroCountsAreRefused() throws {
        var record = SyntheticScores.sampled(seed: 5, tokenCount: 4, maximumEntries: 3, vocabularySize: 50)
        record.positions[1] = SampledPosition(ids: [1], counts: [0], logProbabilities: [-1])
        #expect(throws: LogitCacheError.self) { try LogitCodec.encodeSampled(record, vocabularySize: 50) }
    }
}
