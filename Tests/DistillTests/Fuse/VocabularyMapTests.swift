import Foundation
import Testing

@testable import Distill

/// The three vocabulary maps and the two fusion weightings on small
/// vocabularies whose answers can be worked out by hand.
@Suite struct VocabularyMapTests {
    static func vocabulary(_ tokens: [String]) -> VocabularyBytes {
        VocabularyBytes(tokens: tokens.map { Array($0.utf8) })
    }

    static let target = vocabulary(["a", " the", "the", "cat", " cat", "", "ca"])
    static let teacher = vocabulary([" the", "cat", "kat", "the", " dog", "c", "a"])

    @Test func exactMapsTheSameBytesToTheSmallestTargetID() {
        let map = VocabularyMap.make(.exact, teacher: Self.teacher, target: Self.target, nearest: nil)
        #expect((0..<7).map { map.target(of: Int32($0)) } == [1, 3, nil, 2, nil, nil, 0])
        #expect(map.target(of: 7) == nil)
        #expect(map.target(of: -1) == nil)
    }

    @Test func editFallsBackToTheNearestTargetTokenTiesToTheSmallestID() {
        let nearest = NearestTokenIndex(tokens: Self.target.tokens)
        let map = VocabularyMap.make(.edit, teacher: Self.teacher, target: Self.target, nearest: nearest)
        // "kat" → "cat" (1 edit); " dog" → " the"/" cat" at 3 edits: id 1;
        // "c" → "a", "" and "ca" at 1 edit: the smallest id, 0.
        #expect((0..<7).map { map.target(of: Int32($0)) } == [1, 3, 3, 2, 1, 0, 0])
    }

    @Test func statisticalMapsLearnFromAlignmentCounts() {
        var counts = AlignmentCounts()
        var alignment = TokenAlignment(targetCount: 3)
        // Teacher "kat" (2) aligned with target "ca" (6) twice and "cat" (3)
        // once; teacher " dog" (4) with "ca" once; "cat" (1) has an exact match.
        for (target, teacher) in [(0, 0), (1, 0), (2, 1), (0, 2)] { alignment.pair(target: target, teacher: teacher) }
        let targetTokens = FusionTokens(
            ids: [6, 6, 3], offsets: [0..<1, 1..<2, 2..<3], contentSpans: [0..<3], isText: true)
        let teacherTokens = FusionTokens(
            ids: [2, 1, 4], offsets: [0..<1, 1..<2, 2..<3], contentSpans: [0..<3], isText: true)
        counts.add(alignment, target: targetTokens, teacher: teacherTokens)
        var other = AlignmentCounts()
        var second = TokenAlignment(targetCount: 1)
        second.pair(target: 0, teacher: 0)
        other.add(
            second, target: FusionTokens(ids: [3], offsets: [0..<1], contentSpans: [0..<1], isText: true),
            teacher: FusionTokens(ids: [2], offsets: [0..<1], contentSpans: [0..<1], isText: true))
        counts.merge(other)
        let exact = VocabularyMap.exactTable(teacher: Self.teacher, target: Self.target)
        let choices = counts.choices(exact: exact, teacher: Self.teacher, target: Self.target)
        // "kat" vs "ca": distance 2 × sigmoid(2); vs "cat": 1 × sigmoid(1) wins.
        // " dog" has one candidate, "ca" (distance 3 once spaces are removed).
        #expect(choices == [.init(teacherID: 2, targetID: 3, count: 1), .init(teacherID: 4, targetID: 6, count: 1)])
        let map = VocabularyMap.statistical(
            exact: exact, learned: Dictionary(uniqueKeysWithValues: choices.map { ($0.teacherID, $0.targetID) }))
        #expect((0..<7).map { map.target(of: Int32($0)) } == [1, 3, 3, 2, 6, nil, 0])
    }

    @Test func minCEChoosesTheLowestAndAvgCEWeighsBySoftmax() {
        #expect(FusionMethod.minCE.weights([2, 1, 1]) == [0, 1, 0])
        let weights = FusionMethod.avgCE.weights([1, 2, .infinity])
        #expect(abs(weights[0] - 1 / (1 + exp(-1))) < 1e-12)
        #expect(weights[2] == 0)
        #expect(FusionMethod.minCE.weights([.infinity, .infinity]) == [1, 0])
        #expect(FusionMethod.avgCE.weights([.infinity, .infinity]) == [0.5, 0.5])
    }
}
