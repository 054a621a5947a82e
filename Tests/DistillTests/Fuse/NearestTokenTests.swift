import Distill
import Testing

@Suite struct NearestTokenTests {
    @Test func exactFindsTheSmallestIDWithEqualBytes() throws {
        let index = try #require(NearestTokenIndex(tokens: [[1, 2], [], [3], [1, 2], []]))
        #expect(index.exact([1, 2]) == 0)
        #expect(index.exact([]) == 1)
        #expect(index.exact([3]) == 2)
        #expect(index.exact([2, 1]) == nil)
        #expect(index.count == 5)
    }

    @Test func nearestPrefersAnExactMatchThenTheSmallestIDOnTies() throws {
        let index = try #require(NearestTokenIndex(tokens: [Array("cart".utf8), Array("cat".utf8), Array("bat".utf8)]))
        #expect(index.nearest(Array("cat".utf8)) == 1)
        // "hat" is one substitution from both "cat" and "bat": the smaller id wins.
        #expect(index.nearest(Array("hat".utf8)) == 1)
        // "carts" is one deletion from "cart" (id 0), two edits from the others.
        #expect(index.nearest(Array("carts".utf8)) == 0)
    }

    @Test func theEmptyQueryIsNearestToTheShortestTokens() throws {
        let index = try #require(NearestTokenIndex(tokens: [[5, 5], [7], [8]]))
        #expect(index.nearest([]) == 1)
    }

    @Test func anEmptyVocabularyHasNoIndex() {
        #expect(NearestTokenIndex(tokens: []) == nil)
    }

    @Test(arguments: 0..<12)
    func nearestMatchesTheBruteForceOnRandomVocabularies(seed: Int) throws {
        var random = SplitMix64(state: UInt64(1000 + seed))
        // A small alphabet and short lengths make equal distances, duplicates and empty tokens common.
        let alphabet = 2 + random.below(3)
        let tokens = (0..<(5 + random.below(60))).map { _ in
            random.bytes(length: random.below(7), alphabet: alphabet)
        }
        let index = try #require(NearestTokenIndex(tokens: tokens))
        for _ in 0..<300 {
            let query = random.bytes(length: random.below(10), alphabet: alphabet + 1)
            #expect(index.nearest(query) == Reference.nearest(query, in: tokens), "\(query) in \(tokens)")
        }
    }
}
