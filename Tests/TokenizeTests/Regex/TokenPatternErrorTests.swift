import Base
import Testing

@testable import Tokenize

@Suite struct TokenPatternErrorTests {
    /// Malformed or unsupported patterns, each with the offset and problem it must be refused with.
    static let refusals: [(pattern: String, offset: Int, problem: String)] = [
        ("(a", 0, "missing ) for this ("),
        ("a)", 1, "unmatched )"),
        ("a(?:b", 1, "missing ) for this ("),
        ("[abc", 0, "missing ] for this ["),
        ("x[z-a]", 2, "empty range in class (start above end)"),
        ("*a", 0, "quantifier * with nothing to repeat"),
        ("a|+", 2, "quantifier + with nothing to repeat"),
        ("{2}", 0, "quantifier { with nothing to repeat"),
        ("a{3,2}", 1, "interval minimum above maximum"),
        ("a{200000}", 1, "interval bound too large"),
        ("a{2}?", 4, "quantifier ? after {n} (optional or lazy) is ambiguous"),
        ("a{2,3}+", 6, "quantifier + after an interval is ambiguous"),
        ("a**", 2, "quantifier * on a quantifier is not supported"),
        ("(?=a)*", 5, "quantifier * on something that matches no characters"),
        (#"(a)\1"#, 3, "backreference or octal escape \\1 is not supported"),
        (#"\k<x>"#, 0, "backreference or subexpression call \\k is not supported"),
        ("(?<=a)b", 0, "lookbehind (?<= is not supported"),
        ("(?<!a)b", 0, "lookbehind (?<! is not supported"),
        ("(?'n'a)", 0, "named group (?' is not supported; use (?<name>"),
        ("a(?<1>a)", 1, "group name must be word characters ending in >"),
        ("(?<n a)", 0, "group name must be word characters ending in >"),
        ("(?#c)", 0, "comment group (?# is not supported"),
        ("(?m)a", 0, "option (?m is not supported"),
        ("(?%a)", 0, "group option or kind (?% is not supported"),
        ("(?x:a)", 0, "option (?x is not supported"),
        ("(?-m)a", 0, "option (?-m is not supported"),
        ("(?ia)", 0, "option group (?i must end in : or ) here"),
        (#"a\q"#, 1, "escape \\q is not supported"),
        (#"\h"#, 0, "escape \\h is not supported"),
        (#"\G"#, 0, "escape \\G is not supported"),
        ("a\\", 1, "pattern ends in an unfinished escape \\"),
        (#"\xZ"#, 0, "escape needs 1 hexadecimal digits"),
        (#"\u12"#, 0, "escape needs 4 hexadecimal digits"),
        (#"\x{D800}"#, 0, "escape names no Unicode scalar (a surrogate or above 10FFFF)"),
        (#"\x{41"#, 0, "\\x{ needs hexadecimal digits and a closing }"),
        (#"\pL"#, 0, "\\p needs a {name}"),
        (#"\p{L"#, 0, "\\p{ is missing its }"),
        (#"\p{Greek}"#, 0, "property \\p{Greek} is not supported (general categories only)"),
        ("[[:alpha:]]", 1, "POSIX bracket [: is not supported"),
        ("[a[^b]]", 2, "negated nested class [^ is not supported"),
        ("[a[b]", 0, "missing ] for this ["),
        ("[a&&b]", 2, "class intersection && is not supported"),
        (#"[\d-z]"#, 3, "range bound - after a class escape"),
        (#"[a-\d]"#, 1, "range bound - before a class escape"),
        (#"[\b]"#, 1, "escape \\b inside a class is not supported"),
        ("(?i:ß)", 4, "case-insensitive U+DF folds to several characters"),
        ("(?i:xst)", 5, "case-insensitive sequence that one character folds to (multi-character folding)"),
        (#"(?i:[\w'])"#, 4, "case-insensitive U+DF folds to several characters"),
        ("(?i)[\\x{0}-\\x{FFFF}]", 4, "case-insensitive range too large (over 16384)"),
    ]

    @Test(arguments: refusals) func refusesWithOffsetAndProblem(pattern: String, offset: Int, problem: String) {
        #expect(throws: TokenPatternError(offset: offset, problem: problem)) { try TokenPattern(pattern) }
    }

    @Test func descriptionNamesOffsetAndProblem() {
        let error = TokenPatternError(offset: 3, problem: "unmatched )")
        #expect(error.description == "regular expression, at character 3: unmatched )")
        #expect(error.exitCode == .dataError)
    }
}
