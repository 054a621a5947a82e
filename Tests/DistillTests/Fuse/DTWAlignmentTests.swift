import Distill
import Testing

@Suite struct DTWAlignmentTests {
    /// Tokens spelled as strings.
    static func tokens(_ words: [String]) -> [[UInt8]] { words.map { Array($0.utf8) } }

    @Test(arguments: 0..<40)
    func fullBandEqualsFuseLLMOnRandomSeries(seed: Int) {
        var random = SplitMix64(state: UInt64(7000 + seed))
        for _ in 0..<10 {
            // Short tokens over a tiny alphabet tie often, which exercises the backtrack's preference order.
            let alphabet = 1 + random.below(3)
            let teacher = (0..<random.below(41)).map { _ in random.bytes(length: random.below(4), alphabet: alphabet) }
            let target = (0..<random.below(41)).map { _ in random.bytes(length: random.below(4), alphabet: alphabet) }
            guard !teacher.isEmpty, !target.isEmpty else { continue }
            let expected = Reference.dtw(teacher, target)
            #expect(DTWAlignment.align(teacher: teacher, target: target, band: .max) == expected)
            #expect(
                DTWAlignment.align(teacher: teacher, target: target, band: max(teacher.count, target.count)) == expected
            )
        }
    }

    @Test(arguments: 0..<20)
    func bandedEqualsFullWhenThePathStaysNearTheDiagonal(seed: Int) {
        var random = SplitMix64(state: UInt64(9000 + seed))
        // One text split two ways: the target splits some of the teacher's tokens in two, so the path keeps close
        // to the corner-to-corner diagonal.
        let words = (0..<(80 + random.below(200))).map { _ in random.bytes(length: 2 + random.below(5), alphabet: 26) }
        var target: [[UInt8]] = []
        for word in words {
            if random.below(5) == 0 {
                let cut = 1 + random.below(word.count - 1)
                target.append(Array(word[..<cut]))
                target.append(Array(word[cut...]))
            } else {
                target.append(word)
            }
        }
        let full = DTWAlignment.align(teacher: words, target: target, band: .max)
        #expect(full == Reference.dtw(words, target))
        #expect(DTWAlignment.align(teacher: words, target: target, band: 48) == full)
    }

    @Test func aTargetTokenSplitInTwoMapsBothHalvesToTheTeacherToken() {
        let teacher = Self.tokens(["the", "cat", "sat"])
        let target = Self.tokens(["the", "c", "at", "sat"])
        #expect(DTWAlignment.align(teacher: teacher, target: target, band: .max) == [[0], [1], [1], [2]])
    }

    @Test func teacherTokensMergedInTheTargetAllMapToIt() {
        let teacher = Self.tokens(["the", "c", "at", "sat"])
        let target = Self.tokens(["the", "cat", "sat"])
        #expect(DTWAlignment.align(teacher: teacher, target: target, band: .max) == [[0], [1, 2], [3]])
    }

    @Test func anEmptyTargetHasNoMapping() {
        #expect(DTWAlignment.align(teacher: Self.tokens(["a"]), target: [], band: 4) == [])
        #expect(DTWAlignment.align(teacher: [], target: [], band: 4) == [])
    }

    @Test func anEmptyTeacherLeavesEveryTargetTokenUnpaired() {
        #expect(DTWAlignment.align(teacher: [], target: Self.tokens(["a", "b"]), band: 4) == [[], []])
    }

    @Test func aSingleTargetTokenTakesEveryTeacherToken() {
        let teacher = Self.tokens(["a", "b", "c", "d", "e"])
        for band in [0, 1, .max] {
            #expect(
                DTWAlignment.align(teacher: teacher, target: Self.tokens(["abcde"]), band: band) == [[0, 1, 2, 3, 4]])
        }
    }

    @Test func aSingleTeacherTokenPairsWithEveryTargetToken() {
        let target = Self.tokens(["a", "b", "c"])
        for band in [0, .max] {
            #expect(DTWAlignment.align(teacher: Self.tokens(["abc"]), target: target, band: band) == [[0], [0], [0]])
        }
    }

    @Test(arguments: [0, 1, 3])
    func aNarrowBandStillJoinsTheCornersOfASteepSeries(band: Int) {
        var random = SplitMix64(state: 5)
        let teacher = (0..<97).map { _ in random.bytes(length: 1 + random.below(3), alphabet: 4) }
        let target = (0..<6).map { _ in random.bytes(length: 1 + random.below(3), alphabet: 4) }
        let mapping = DTWAlignment.align(teacher: teacher, target: target, band: band)
        #expect(mapping.count == target.count)
        #expect(mapping.allSatisfy { !$0.isEmpty })
        #expect(mapping.first?.first == 0)
        #expect(mapping.last?.last == teacher.count - 1)
        // Monotone: each target index starts where the previous one ended or one past it.
        for column in 1..<mapping.count {
            let step = (mapping[column].first ?? 0) - (mapping[column - 1].last ?? 0)
            #expect(step == 0 || step == 1)
        }
    }
}
