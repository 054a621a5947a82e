/// A parsed pattern, before compilation.
indirect enum RegexNode: Sendable {
    /// Matches the empty string.
    case empty
    /// Matches one scalar in the set (a literal, a class, `.`).
    case set(ScalarSet)
    case sequence([RegexNode])
    /// Alternatives tried left to right; the first that lets the whole pattern match wins (leftmost-first).
    case alternation([RegexNode])
    /// `max` nil means unbounded.
    case repetition(RegexNode, min: Int, max: Int?, mode: RepetitionMode)
    /// `(?= )` or, negated, `(?! )`: zero-width.
    case lookahead(RegexNode, isNegated: Bool)
    /// `(?> )`: the first way the body matches is kept; nothing backtracks into it.
    case atomic(RegexNode)
    case assertion(RegexAssertion)

    /// Whether the node can match the empty string.
    var isNullable: Bool {
        switch self {
        case .empty, .lookahead, .assertion: true
        case .set: false
        case .sequence(let items): items.allSatisfy(\.isNullable)
        case .alternation(let items): items.contains { $0.isNullable }
        case .repetition(let body, let min, _, _): min == 0 || body.isNullable
        case .atomic(let body): body.isNullable
        }
    }
}

/// How a quantifier chooses how many times to repeat.
enum RepetitionMode: UInt8, Sendable {
    /// As many as possible, giving back one at a time.
    case greedy
    /// As few as possible (`*?`), taking one more at a time.
    case lazy
    /// As many as possible, never giving back (`*+`).
    case possessive
}

/// The zero-width assertions, as Oniguruma's default (Ruby) syntax reads them.
enum RegexAssertion: UInt8, Sendable {
    /// `^`: at the start or after `\n`.
    case lineStart
    /// `$`: at the end or before `\n`.
    case lineEnd
    /// `\A`.
    case textStart
    /// `\z`.
    case textEnd
    /// `\Z`: at the end or before a final `\n`.
    case textEndBeforeNewline
    /// `\b`: between a `\w` scalar and a non-`\w` one (or an end).
    case wordBoundary
    /// `\B`.
    case notWordBoundary
}
