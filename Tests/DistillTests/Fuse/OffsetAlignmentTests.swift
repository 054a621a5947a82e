import Base
import Checkpoint
import TestSupport
import Testing
import Tokenize

@testable import Distill

/// Offsets alignment is exact: a target position takes a teacher
/// position only where both prefixes end at the same character of the
/// same content, and tokens pair one-to-one only over the same text.
@Suite struct OffsetAlignmentTests {
    /// Tokens from (text of each token, whether it covers text): ranges are
    /// consecutive, a token of empty text has an empty range at the cursor,
    /// and `shared` tokens repeat the previous range (byte-fallback pieces
    /// of one scalar).
    static func tokens(
        _ pieces: [(length: Int, shared: Bool)], spans: [Range<Int>?], isText: Bool = true
    )
        -> FusionTokens
    {
        var offsets: [Range<Int>] = []
        var cursor = 0
        for piece in pieces {
            if piece.shared, let last = offsets.last {
                offsets.append(last)
                continue
            }
            offsets.append(cursor..<cursor + piece.length)
            cursor += piece.length
        }
        return FusionTokens(
            ids: offsets.indices.map { Int32($0) }, offsets: offsets, contentSpans: spans, isText: isText)
    }

    static func lengths(_ values: [Int]) -> [(length: Int, shared: Bool)] { values.map { ($0, false) } }

    @Test func byteFallbackPiecesAlignOnlyAtTheirLastPiece() {
        // Target: "a", four byte pieces of one emoji, "b"; teacher: "a👍", "b".
        let target = Self.tokens(
            [(1, false), (1, false), (1, true), (1, true), (1, true), (1, false)], spans: [0..<3])
        let teacher = Self.tokens(Self.lengths([2, 1]), spans: [0..<3])
        let alignment = OffsetAlignment.align(target: target, teacher: teacher)
        #expect(alignment.sources == [-1, -1, -1, -1, 0, -1])
        #expect(alignment.oneToOne == [-1, -1, -1, -1, -1, 1])
        #expect(
            zip(alignment.pairedTargets, alignment.pairedTeachers).map { [$0, $1] } == [
                [0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 1],
            ])
    }

    @Test func aSpecialTokenWithoutTextAlignsWithTheOtherSidesOwn() {
        // Target: <bos> "Hi" " there" "!"; teacher: <s> "Hi there" "!".
        let target = Self.tokens(Self.lengths([0, 2, 6, 1]), spans: [0..<9])
        let teacher = Self.tokens(Self.lengths([0, 8, 1]), spans: [0..<9])
        let alignment = OffsetAlignment.align(target: target, teacher: teacher)
        #expect(alignment.sources == [0, -1, 1, -1])
        #expect(alignment.oneToOne == [-1, -1, -1, 2])
        // Without a teacher <s>, the target's <bos> has nothing to take.
        let bare = Self.tokens(Self.lengths([8, 1]), spans: [0..<9])
        #expect(OffsetAlignment.align(target: target, teacher: bare).sources == [-1, -1, 0, -1])
    }

    @Test func differentSplitsMeetOnlyWhereBothEnd() {
        // "日本語です": target 日本|語|です, teacher 日|本語|で|す.
        let target = Self.tokens(Self.lengths([2, 1, 2]), spans: [0..<5])
        let teacher = Self.tokens(Self.lengths([1, 2, 1, 1]), spans: [0..<5])
        let alignment = OffsetAlignment.align(target: target, teacher: teacher)
        #expect(alignment.sources == [-1, 1, -1])
        #expect(alignment.oneToOne == [-1, -1, -1])
        #expect(
            zip(alignment.pairedTargets, alignment.pairedTeachers).map { [$0, $1] } == [
                [0, 0], [0, 1], [1, 1], [2, 2], [2, 3],
            ])
    }

    @Test func chatPiecesAlignInsideTheirContentWhateverTheTemplates() {
        // Target "<u>Hi!</u><a>Yo</a>": <u> Hi ! </u><a> Yo </a>
        // Teacher "[U]\nHi!\n[A]\nYo": [U]\n Hi! \n[A]\n Yo
        let target = Self.tokens(Self.lengths([3, 2, 1, 7, 2, 4]), spans: [3..<6, 13..<15], isText: false)
        let teacher = Self.tokens(Self.lengths([4, 3, 5, 2]), spans: [4..<7, 12..<14], isText: false)
        let alignment = OffsetAlignment.align(target: target, teacher: teacher)
        // <u> and [U]\n both end where the first content starts; "Hi" ends
        // inside it where the teacher has no boundary; "!" ends at the
        // piece's end and predicts template. Likewise in the second piece.
        #expect(alignment.sources == [0, -1, -1, 2, -1, -1])
        #expect(alignment.oneToOne == [-1, -1, -1, -1, 3, -1])
    }

    @Test func aPieceOneRenderingLacksIsNotAligned() {
        let target = Self.tokens(Self.lengths([2, 2]), spans: [0..<2, 2..<4], isText: false)
        let teacher = Self.tokens(Self.lengths([2, 2]), spans: [nil, 0..<2], isText: false)
        let alignment = OffsetAlignment.align(target: target, teacher: teacher)
        #expect(alignment.sources == [-1, -1])
        #expect(alignment.oneToOne == [-1, 0])
    }

    /// Real tokenizers on text that splits badly: wherever a target
    /// position takes a teacher position, the text both prefixes cover is
    /// the same; and one-to-one tokens are the same bytes.
    @Test(
        .enabled(
            if: RealModel.allCases.allSatisfy(\.isPresent), "the three real GGUFs are needed: run tools/fetch-models.sh"
        ),
        arguments: [
            "Thumbs 👍🏽 and flags 🇫🇷🇯🇵 and a family 👨‍👩‍👧 emoji.",
            "日本語の文章を読みます。中文也可以，한국어도 됩니다.",
            "Numbers: 12345.678, 3,000,000 and -0.5e10; dates 2026-12-06.",
            "Spaces   inside\tand\n\nnewlines    end   ",
            "Café, naïve, Ærøskøbing, straße, ŝ, and ñ.",
            "Literal specials <|im_end|> <end_of_turn> <bos> in text.",
        ])
    func realTokenizersAlignOnlyWhereTheTextIsTheSame(text: String) throws {
        let models = [RealModel.smolLM2, .qwen2, .gemma3]
        let loaded = try FuseReferenceTests.shared.get()
        let tokenizers = [loaded.target] + loaded.teachers
        let scalars = Array(text.unicodeScalars)
        for (targetIndex, targetTokenizer) in tokenizers.enumerated() {
            for (teacherIndex, teacherTokenizer) in tokenizers.enumerated() where teacherIndex != targetIndex {
                let target = FuseReferenceTests.tokens(targetTokenizer, text)
                let teacher = FuseReferenceTests.tokens(teacherTokenizer, text)
                let alignment = OffsetAlignment.align(target: target, teacher: teacher)
                let targetEnds = target.prefixEnds(), teacherEnds = teacher.prefixEnds()
                var aligned = 0
                for (position, source) in alignment.sources.enumerated() where source >= 0 {
                    aligned += 1
                    #expect(targetEnds[position] == teacherEnds[Int(source)], "\(models[targetIndex]) \(position)")
                    #expect(targetEnds[position] < scalars.count)
                }
                #expect(aligned > 0)
                let bytes = [loaded.targetBytes] + loaded.teacherBytes
                let targetBytes = bytes[targetIndex], teacherBytes = bytes[teacherIndex]
                for (position, partner) in alignment.oneToOne.enumerated() where partner >= 0 {
                    #expect(target.offsets[position] == teacher.offsets[Int(partner)])
                    let ours = targetBytes[target.ids[position]], theirs = teacherBytes[teacher.ids[Int(partner)]]
                    #expect(ours == theirs, "\(text): one-to-one tokens of other bytes at \(position)")
                }
            }
        }
    }
}
