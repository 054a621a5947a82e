import Testing

@testable import Tokenize

@Suite struct TokenPatternSearchTests {
    func matches(_ pattern: String, _ text: String) throws -> [Range<Int>] {
        try TokenPattern(pattern).matches(in: Array(text.unicodeScalars))
    }

    /// After an empty match the search moves one scalar on; an empty match right where the last match ended is
    /// skipped, one elsewhere is reported (the `onig` crate's `find_iter`).
    @Test func emptyMatchesAdvanceOneScalar() throws {
        #expect(try matches("a*|b", "bab") == [0..<0, 1..<2, 3..<3])
        #expect(try matches("x*", "axx") == [0..<0, 1..<3])
        #expect(try matches("", "ab") == [0..<0, 1..<1, 2..<2])
        #expect(try matches("a*", "") == [0..<0])
    }

    @Test func alternativesArePreferredInPatternOrder() throws {
        #expect(try matches("a|ab", "ab") == [0..<1])
        #expect(try matches("ab|a", "ab") == [0..<2])
        #expect(try matches("a??b|a", "aab") == [0..<1, 1..<3])
        #expect(try matches("(?<word>a|ab)(c|bcd)", "abcd") == [0..<4])  // groups, named or not, only group
    }

    @Test func greedyLazyAndPossessiveRepeatsDiffer() throws {
        #expect(try matches("a+a", "aaa") == [0..<3])
        #expect(try matches("a+?a", "aaa") == [0..<2])
        #expect(try matches("a++a", "aaa") == [])
        #expect(try matches("(?>a|ab)c", "abc") == [])
        #expect(try matches("(?:ab){2,3}?", "ababab") == [0..<4])
    }

    /// Past 64 top-level alternatives the first-scalar table is not used; the results are the same.
    @Test func manyAlternativesMatchWithoutTheStartTable() throws {
        let pattern = (0..<70).map { "x\($0)y" }.joined(separator: "|") + "|x6"
        #expect(try matches(pattern, "x69y x6 x1y") == [0..<4, 5..<7, 8..<11])
    }

    /// A loop whose body matched empty stops there, as Oniguruma's empty check does, instead of spinning.
    @Test func loopsStopAfterAnEmptyIteration() throws {
        #expect(try matches("(?:a|)*b", "aab b") == [0..<3, 4..<5])
        #expect(try matches("(?:a*)*", "aab").filter { !$0.isEmpty } == [0..<2])
        #expect(try matches("(?:a?b?)+?c", "abac") == [0..<4])
        #expect(try matches("(?:x?)*y|x", "xxy x") == [0..<3, 4..<5])
    }

    @Test func lookaheadChecksWithoutConsuming() throws {
        #expect(try matches(#"\s+(?!\S)"#, "a   b") == [1..<3])
        #expect(try matches(#"a(?=b)"#, "aab") == [1..<2])
    }

    @Test func caseInsensitiveGroupsFoldLongSAndKelvin() throws {
        #expect(try matches("(?i:'s|k)", "'S 'ſ K \u{212A}") == [0..<2, 3..<5, 6..<7, 8..<9])
        #expect(try matches("(?i)ı", "iIı") == [2..<3])
        #expect(try matches(#"(?i:\p{Ll})"#, "aA") == [0..<1])  // properties are not folded
        #expect(try matches("(?i:[^k])", "aK\u{212A}") == [0..<1])  // the class is folded, then negated
        #expect(try matches(#"(?i:\wx)"#, "ssx ßx") == [1..<3, 4..<6])  // outside a class, no multi-scalar fold
    }

    @Test func anchorsFollowRubySyntax() throws {
        #expect(try matches("^a|b$", "ab\nab") == [0..<1, 1..<2, 3..<4, 4..<5])
        #expect(try matches(#"\Aa|a\z"#, "aaa") == [0..<1, 2..<3])
    }

    /// Every saved choice of a long match fits: the backtracking stack grows as needed.
    @Test func longMatchesGrowTheStack() throws {
        let text = String(repeating: "ab", count: 20_000) + "c"
        #expect(try matches("(?:a|b)*c", text) == [0..<40_001])
        #expect(try matches(#"\s+(?!\S)"#, String(repeating: " ", count: 50_000) + "x") == [0..<49_999])
    }

    @Test func forEachMatchReadsAnUnsafeBuffer() throws {
        let pattern = try TokenPattern(#"\w+|[^\w\s]+"#)
        var found: [Range<Int>] = []
        Array("Hi, you!".unicodeScalars).withUnsafeBufferPointer { text in
            pattern.forEachMatch(in: text) { found.append($0) }
        }
        #expect(found == [0..<2, 2..<3, 4..<7, 7..<8])
    }
}
