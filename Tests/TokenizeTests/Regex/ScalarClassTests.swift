import TestSupport
import Testing

@testable import Tokenize

@Suite struct ScalarClassTests {
    /// `Fixtures/tokenize/regex/classes.txt`: per one-scalar pattern, the scalars Oniguruma matches, as ranges.
    static let classes: [(pattern: String, ranges: String)] = {
        guard let bytes = try? TestFiles.read(TestFiles.fixture("tokenize/regex/classes.txt")) else { return [] }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return stride(from: 0, to: lines.count - 1, by: 2).map { index in
            let scalars = lines[index].dropFirst(2).split(separator: " ").compactMap {
                UInt32($0, radix: 16).flatMap(Unicode.Scalar.init)
            }
            return (String(String.UnicodeScalarView(scalars)), String(lines[index + 1]))
        }
    }()

    static let allScalars: [Unicode.Scalar] = (UInt32(0)...0x10FFFF).compactMap(Unicode.Scalar.init)

    @Test func classReferencesAreReadable() {
        #expect(Self.classes.count > 40)
    }

    /// Each class pattern matches exactly the scalars Oniguruma's Unicode 16.0 tables give it.
    @Test(arguments: Array(0..<classes.count)) func classMatchesOnigurumaOnEveryScalar(index: Int) throws {
        let (source, expected) = Self.classes[index]
        let pattern = try TokenPattern(source)
        var ranges: [ClosedRange<UInt32>] = []
        for match in pattern.matches(in: Self.allScalars) {
            for value in match.map({ Self.allScalars[$0].value }) {
                if let last = ranges.last, last.upperBound == value - 1 {
                    ranges[ranges.count - 1] = last.lowerBound...value
                } else {
                    ranges.append(value...value)
                }
            }
        }
        let found = ranges.map { String($0.lowerBound, radix: 16) + "-" + String($0.upperBound, radix: 16) }
        let wanted = expected.split(separator: " ").map(String.init)
        let common = min(found.count, wanted.count)
        let firstDifference = (0..<common).first { found[$0] != wanted[$0] } ?? common
        #expect(
            found == wanted,
            "\(source): from \(found.dropFirst(firstDifference).prefix(3)) != \(wanted.dropFirst(firstDifference).prefix(3))"
        )
    }

    @Test func whitespaceIsTheWhiteSpaceProperty() {
        for scalar: Unicode.Scalar in ["\t", "\n", "\u{0B}", "\u{0C}", "\r", " ", "\u{85}", "\u{A0}", "\u{2028}"] {
            #expect(ScalarClass.isWhitespace(scalar))
        }
        for scalar: Unicode.Scalar in ["\u{200B}", "\u{1C}", "\u{180E}", "\u{FEFF}", "a"] {
            #expect(!ScalarClass.isWhitespace(scalar))
        }
    }

    @Test func wordCharactersOutsideAClassIncludeLatinFractions() {
        #expect(
            ScalarClass.isWordCharacter("½") && ScalarClass.isWordCharacter("²") && ScalarClass.isWordCharacter("_"))
        #expect(!ScalarClass.isWordCharacter("\u{200D}") && !ScalarClass.isWordCharacter("①"))
        #expect(ScalarClass.isWordCharacter("Ⓐ"))  // Other_Alphabetic, though a symbol
    }

    @Test func categoriesFollowUnicode16() {
        #expect(ScalarClass.category("A") == .uppercaseLetter)
        #expect(ScalarClass.isLetter("ж") && ScalarClass.isNumber("½") && ScalarClass.isPunctuation("«"))
        #expect(ScalarClass.isMark("\u{301}") && !ScalarClass.isLetter("1"))
        #expect(ScalarClass.category("\u{88F}") == .unassigned)  // assigned in Unicode 17, after Oniguruma's tables
    }
}
