import Testing

@testable import Distill

/// A teacher that read the record as the target's very tokens (a
/// fine-tune of the target under the same template) aligns on the
/// diagonal, template tokens included; any difference in ids or in what
/// an id stands for leaves the alignment to `--align`.
@Suite struct RecordFusionAlignmentTests {
    // "<u>Hi!</u><a>Yo</a>": <u> Hi ! </u><a> Yo </a>, content "Hi!" and "Yo".
    static let target = OffsetAlignmentTests.tokens(
        OffsetAlignmentTests.lengths([3, 2, 1, 7, 2, 4]), spans: [3..<6, 13..<15], isText: false)
    static let bytes = VocabularyBytes(tokens: ["<u>", "Hi", "!", "</u><a>", "Yo", "</a>"].map { Array($0.utf8) })

    static func align(
        teacherBytes: VocabularyBytes, teacher: FusionTokens = target, _ method: AlignmentMethod
    )
        -> TokenAlignment
    {
        var options = FuseOptions()
        options.alignment = method
        let record = TeacherRecord(
            tokens: teacher, record: .empty, bytes: teacherBytes, map: .identity(count: teacherBytes.count))
        return RecordFusion.align(target: target, targetBytes: bytes, teacher: record, options: options)
    }

    @Test(arguments: AlignmentMethod.allCases)
    func theTargetsOwnTokensAlignEveryPositionToItself(method: AlignmentMethod) {
        let alignment = Self.align(teacherBytes: Self.bytes, method)
        let all = (0..<Int32(Self.target.count)).map { $0 }
        #expect(alignment.sources == all)
        #expect(alignment.oneToOne == all)
        #expect(alignment.pairedTargets == all && alignment.pairedTeachers == all)
        // Over content alone, "!" and "Yo", which end their pieces and
        // predict template tokens, would get no teacher position.
        #expect(OffsetAlignment.align(target: Self.target, teacher: Self.target).sources == [0, 1, -1, 3, -1, -1])
    }

    @Test func theSameIdsStandingForOtherBytesAreAlignedByOffsets() {
        var other = Self.bytes.tokens
        other[3] = Array("</u>\n<a>".utf8)
        let alignment = Self.align(teacherBytes: VocabularyBytes(tokens: other), .offsets)
        #expect(alignment == OffsetAlignment.align(target: Self.target, teacher: Self.target))
    }

    @Test func otherIdsAreAlignedByOffsets() {
        let teacher = FusionTokens(
            ids: [0, 1, 2, 3, 4, 3], offsets: Self.target.offsets, contentSpans: Self.target.contentSpans,
            isText: false)
        let alignment = Self.align(teacherBytes: Self.bytes, teacher: teacher, .offsets)
        #expect(alignment == OffsetAlignment.align(target: Self.target, teacher: teacher))
    }
}
