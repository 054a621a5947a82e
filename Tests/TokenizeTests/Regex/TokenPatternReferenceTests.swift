import Testing

@testable import Tokenize

@Suite struct TokenPatternReferenceTests {
    static let patternIndices = Array(0..<(RegexReferences.shared?.patterns.count ?? 0))

    @Test func referencesAreReadable() throws {
        let references = try #require(RegexReferences.shared)
        guard RegexReferences.overrideFolder == nil else { return }
        #expect(references.texts.count > 2000)
        #expect(references.patterns.count > 30)
    }

    /// Every pattern finds exactly the matches Oniguruma finds in `tokenizers`, on every text.
    @Test(arguments: patternIndices) func matchesLikeOniguruma(index: Int) throws {
        let references = try #require(RegexReferences.shared)
        let (source, expected) = references.patterns[index]
        let pattern = try TokenPattern(source)
        var mismatches = 0
        for (text, wanted) in zip(references.texts, expected) {
            let found = pattern.matches(in: text).filter { !$0.isEmpty }
            if found != wanted {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record(
                        "\(source) on \(String(String.UnicodeScalarView(text)).debugDescription): \(found) != \(wanted)"
                    )
                }
            }
        }
        #expect(mismatches == 0, "\(source): \(mismatches) texts differ")
    }
}
