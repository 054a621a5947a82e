import Base
import Testing
@testable import Merge

/// Exact top-k without sorting the tensor: the radix passes must select
/// exactly what a stable sort would, ties at the cut-off to the lower index.
@Suite struct RankSelectionTests {
    /// Runs the selection over `keys` split into chunks of `chunkLength`,
    /// as the executor does (a sample pass reads each chunk's sampled part);
    /// with `keepingCandidates` the second pass keeps tie candidates (no
    /// third pass), without it a third pass counts the ties. `passes`
    /// counts the passes, full ones and sample ones.
    static func select(
        _ keys: [UInt32], count: Int, chunkLength: Int, keepingCandidates: Bool = true, sampleDivisor: Int = 1,
        candidateLimit: Int = RankSelection.defaultCandidateLimit, passes: UnsafeMutablePointer<Int>? = nil
    ) -> [UInt8] {
        var selection = RankSelection(
            count: count, elementCount: keys.count,
            candidateLimit: keepingCandidates ? candidateLimit : 0, sampleDivisor: sampleDivisor)
        let chunks = stride(from: 0, to: keys.count, by: chunkLength).map { $0 ..< min(keys.count, $0 + chunkLength) }
        while !selection.isDone {
            passes?.pointee += 1
            let sampling = selection.isSampling
            var histogram = [UInt64](repeating: 0, count: histogramBinCount)
            var counts = [Int](repeating: 0, count: chunks.count)
            for (index, chunk) in chunks.enumerated() {
                let range = sampling ? RankSelection.sampledRange(chunk, divisor: selection.sampleDivisor) : chunk
                keys[range].withUnsafeBufferPointer { view in
                    histogram.withUnsafeMutableBufferPointer { bins in
                        withUnsafeMutablePointer(to: &counts[index]) { counter in
                            selection.reduce(view, histogram: bins, counter: counter, chunkIndex: index)
                        }
                    }
                }
            }
            selection.finish(histogram: histogram[...], chunkCounts: counts)
        }
        var mask = [UInt8](repeating: 9, count: keys.count)
        for (index, chunk) in chunks.enumerated() {
            keys[chunk].withUnsafeBufferPointer { view in
                mask[chunk].withUnsafeMutableBufferPointer { selection.select(view, chunkIndex: index, into: $0) }
            }
        }
        return mask
    }

    /// What a stable sort by descending key picks.
    static func expected(_ keys: [UInt32], count: Int) -> [UInt8] {
        let order = keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] > keys[$1] : $0 < $1 }
        var mask = [UInt8](repeating: 0, count: keys.count)
        for index in order.prefix(count) { mask[index] = 1 }
        return mask
    }

    @Test(arguments: [1, 7, 500, 4_999, 5_000])
    func selectsExactlyTheTopKWithLowerIndexTies(count: Int) {
        var state: UInt64 = 42
        // Few distinct values, spread over both halves of the key: many ties.
        let keys = (0..<5_000).map { _ -> UInt32 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 58)).bitPattern ^ UInt32(truncatingIfNeeded: state >> 20) & 0x3
        }
        for chunkLength in [5_000, 1_024, 333] {
            for keepingCandidates in [true, false] {
                #expect(Self.select(keys, count: count, chunkLength: chunkLength, keepingCandidates: keepingCandidates) == Self.expected(keys, count: count),
                        "chunk \(chunkLength), candidates \(keepingCandidates)")
            }
        }
    }

    @Test func tieCandidatesSaveTheThirdPass() {
        // 1,000 keys of one value and 1,000 above it: keeping 1,500 splits the ties.
        let keys = (0..<2_000).map { UInt32($0 % 2 == 0 ? 7 : 9) }
        var withCandidates = 0, withoutCandidates = 0
        let expected = Self.expected(keys, count: 1_500)
        #expect(Self.select(keys, count: 1_500, chunkLength: 300, keepingCandidates: true, passes: &withCandidates) == expected)
        #expect(Self.select(keys, count: 1_500, chunkLength: 300, keepingCandidates: false, passes: &withoutCandidates) == expected)
        #expect(withCandidates == 2 && withoutCandidates == 3)
    }

    /// Keys spread over many buckets, with ties: Gaussian-like magnitudes
    /// rounded to BF16 precision, as task vectors of BF16 models are.
    static func taskVectorKeys(count: Int, seed: UInt64) -> [UInt32] {
        var state = seed
        return (0..<count).map { _ in
            var total: Float = 0
            for _ in 0..<4 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                total += Float(state >> 40) / Float(1 << 24) - 0.5
            }
            return abs(total).bitPattern & 0xFFFF_0000
        }
    }

    @Test(arguments: [1, 3_000, 20_000, 39_999])
    func aHeldPredictionSavesTheSecondPassAndSelectsTheSame(count: Int) {
        let keys = Self.taskVectorKeys(count: 40_000, seed: 7)
        let expected = Self.expected(keys, count: count)
        var sampled = 0, plain = 0
        #expect(Self.select(keys, count: count, chunkLength: 4_096, sampleDivisor: 8, passes: &sampled) == expected)
        #expect(Self.select(keys, count: count, chunkLength: 4_096, passes: &plain) == expected)
        // BF16-rounded keys tie within a bucket: the candidates count them, so
        // a held prediction needs the sample and one full pass only.
        #expect(sampled == 2, "count \(count): \(sampled) passes with a sample, \(plain) without")
    }

    @Test func aWrongOrOversizedPredictionFallsBackToTheFullPasses() {
        // The first 1/8 of every chunk is small keys, the rest large ones:
        // the sample predicts the wrong buckets (a count near either end
        // would keep every bucket up to that end, which holds).
        let keys = (0..<32_000).map { index -> UInt32 in
            let value: Float = index % 4_000 < 500 ? Float(index % 97) : 1_000 + Float(index % 89)
            return value.bitPattern
        }
        for count in [2_000, 16_000, 27_000] {
            var passes = 0
            #expect(Self.select(keys, count: count, chunkLength: 4_000, sampleDivisor: 8, passes: &passes) == Self.expected(keys, count: count))
            #expect(passes >= 3, "count \(count): the second pass should have run")
        }
        // A limit too small for the predicted buckets: no candidates, same result.
        let spread = Self.taskVectorKeys(count: 40_000, seed: 11)
        var passes = 0
        #expect(Self.select(spread, count: 20_000, chunkLength: 4_096, sampleDivisor: 8, candidateLimit: 50, passes: &passes) == Self.expected(spread, count: 20_000))
        #expect(passes >= 3)
    }

    @Test func tiesInsideThePredictedBucketsAreCountedNotListed() {
        // The sampled first 1/8 of every chunk spreads over many buckets; the
        // rest of every chunk is one value inside them: 28,000 equal keys, far
        // past the limit as a list, one count per chunk as counts. The range
        // pass holds, so no radix pass runs after it.
        let keys = (0..<32_000).map { index -> UInt32 in
            index % 4_000 < 500 ? Float(index % 500 * 2).bitPattern : Float(500).bitPattern
        }
        var passes = 0
        #expect(Self.select(keys, count: 16_000, chunkLength: 4_000, sampleDivisor: 8, candidateLimit: 4_000, passes: &passes) == Self.expected(keys, count: 16_000))
        #expect(passes == 2, "sample and range passes only")
    }

    @Test func candidatesThatOutgrowTheLimitInTheFullPassFallBack() {
        // As above, but the rest of every chunk is 3,500 distinct values in
        // one bucket: 28,000 distinct candidates overflow the limit during
        // the full pass, and the radix passes run after it.
        let tie = Float(500).bitPattern
        let keys = (0..<32_000).map { index -> UInt32 in
            let offset = index % 4_000
            return offset < 500 ? Float(index % 500 * 2).bitPattern : tie + UInt32(offset)
        }
        var passes = 0
        #expect(Self.select(keys, count: 16_000, chunkLength: 4_000, sampleDivisor: 8, candidateLimit: 4_000, passes: &passes) == Self.expected(keys, count: 16_000))
        #expect(passes >= 3, "the range pass overflowed, so the radix passes ran after it")
    }

    @Test func selectsNothingForZero() {
        #expect(Self.select([3, 1, 2], count: 0, chunkLength: 2) == [0, 0, 0])
    }

    @Test(arguments: [1, 250, 999, 1000])
    func orderStatisticModeGivesTheValueAtARank(count: Int) {
        let values: [Float] = (0..<1000).map { Float(($0 * 7919) % 1000) - 500.5 }
        let keys = values.map(orderedKey)
        var selection = RankSelection(count: count, elementCount: keys.count, needsCutoff: true)
        while !selection.isDone {
            var histogram = [UInt64](repeating: 0, count: histogramBinCount)
            keys.withUnsafeBufferPointer { view in histogram.withUnsafeMutableBufferPointer { selection.reduce(view, histogram: $0, counter: nil, chunkIndex: 0) } }
            selection.finish(histogram: histogram[...], chunkCounts: nil)
        }
        // The count-th largest value, negatives included.
        #expect(value(ofOrderedKey: selection.cutoff) == values.sorted(by: >)[count - 1])
    }

    @Test func orderedKeysSortLikeTheirValues() {
        let values: [Float] = [-.infinity, -3, -1e-30, -0.0, 0, 1e-30, 2, .infinity]
        let keys = values.map(orderedKey)
        #expect(keys == keys.sorted())
        #expect(values.map { value(ofOrderedKey: orderedKey($0)).bitPattern } == values.map(\.bitPattern))
    }
}
