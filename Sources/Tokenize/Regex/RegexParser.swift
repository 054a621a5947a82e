/// Reads a pattern in Oniguruma's default (Ruby) syntax into a `RegexNode`, refusing what Smelt does not implement
/// with the offset of the construct.
struct RegexParser {
    let pattern: [Unicode.Scalar]
    var position = 0
    /// Set inside `(?i: )` or after `(?i)`.
    var ignoresCase = false

    /// The largest `{n,m}` bound Oniguruma accepts (ONIG_MAX_REPEAT_NUM).
    static let maxRepeat = 100_000

    init(_ pattern: String) { self.pattern = Array(pattern.unicodeScalars) }

    /// The whole pattern as one node.
    mutating func parse() throws(TokenPatternError) -> RegexNode {
        let node = try parseAlternation()
        if position < pattern.count { throw error("unmatched )") }  // parseSequence stops only at `)` or the end
        return node
    }

    var peek: Unicode.Scalar? { position < pattern.count ? pattern[position] : nil }

    func peek(_ ahead: Int) -> Unicode.Scalar? {
        position + ahead < pattern.count ? pattern[position + ahead] : nil
    }

    func error(_ problem: String, at offset: Int? = nil) -> TokenPatternError {
        TokenPatternError(offset: offset ?? position, problem: problem)
    }

    mutating func parseAlternation() throws(TokenPatternError) -> RegexNode {
        var alternatives = [try parseSequence()]
        while peek == "|" {
            position += 1
            alternatives.append(try parseSequence())
        }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    mutating func parseSequence() throws(TokenPatternError) -> RegexNode {
        var items: [RegexNode] = []
        var previousLiteral: UInt32?
        while let scalar = peek, scalar != "|", scalar != ")" {
            let start = position
            if scalar == "(", peek(1) == "?", let (node, isScoped) = try parseInlineOptions() {
                items.append(node)
                previousLiteral = nil
                if isScoped { continue }
                break  // `(?i)` took the rest of the enclosing group, alternatives included
            }
            let atom = try parseAtom()
            let quantified = try parseQuantifiers(atom, start: start)
            if ignoresCase, position == start + 1, case .set = quantified, !"[.".unicodeScalars.contains(scalar) {
                let literal = scalar.value
                if let previous = previousLiteral, CaseFolding.formsMultiScalarFoldTarget(previous, literal) {
                    throw error(
                        "case-insensitive sequence that one character folds to (multi-character folding)",
                        at: start - 1)
                }
                previousLiteral = literal
            } else {
                previousLiteral = nil
            }
            items.append(quantified)
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .sequence(items)
        }
    }

    mutating func parseAtom() throws(TokenPatternError) -> RegexNode {
        let start = position
        // checked: parseSequence calls this only before the end of the pattern.
        let scalar = peek!
        switch scalar {
        case "(": return try parseGroup()
        case "[": return .set(try parseClass())
        case ".":
            position += 1
            return .set(.anyButNewline)
        case "^":
            position += 1
            return .assertion(.lineStart)
        case "$":
            position += 1
            return .assertion(.lineEnd)
        case "\\": return try parseEscape()
        case "*", "+", "?": throw error("quantifier \(scalar) with nothing to repeat", at: start)
        case "{" where parseInterval() != nil: throw error("quantifier { with nothing to repeat", at: start)
        default:
            position += 1
            return .set(try literal(scalar.value, at: start))
        }
    }

    /// The set a literal scalar matches: itself, or its case variants inside `(?i)`.
    func literal(_ value: UInt32, at offset: Int) throws(TokenPatternError) -> ScalarSet {
        guard ignoresCase else { return ScalarSet(value) }
        return try CaseFolding.closure(of: ScalarSet(value), at: offset)
    }

    /// `( )`, `(?: )`, `(?<name> )` (captures are not needed, so all three just group), `(?= )`, `(?! )`, `(?> )`.
    mutating func parseGroup() throws(TokenPatternError) -> RegexNode {
        let open = position
        position += 1
        var introducer: Unicode.Scalar = ":"
        if peek == "?", let next = peek(1) {
            switch next {
            case ":", "=", "!", ">":
                introducer = next
                position += 2
            case "<" where peek(2) == "=" || peek(2) == "!":
                throw error("lookbehind (?<\(pattern[position + 2]) is not supported", at: open)
            case "<":
                try skipGroupName(open: open)
            case "'", "P": throw error("named group (?\(next) is not supported; use (?<name>", at: open)
            case "#": throw error("comment group (?# is not supported", at: open)
            default: throw error("group option or kind (?\(next) is not supported", at: open)
            }
        }
        let body = try parseAlternation()
        guard peek == ")" else { throw error("missing ) for this (", at: open) }
        position += 1
        switch introducer {
        case "=": return .lookahead(body, isNegated: false)
        case "!": return .lookahead(body, isNegated: true)
        case ">": return .atomic(body)
        default: return body
        }
    }

    /// Moves past `?<name>` of a named group: a word character first, word characters after.
    mutating func skipGroupName(open: Int) throws(TokenPatternError) {
        var cursor = position + 2
        while cursor < pattern.count, pattern[cursor] != ">" {
            guard ScalarClass.isWordCharacter(pattern[cursor]) else { break }
            cursor += 1
        }
        guard cursor < pattern.count, pattern[cursor] == ">", cursor > position + 2,
            !ScalarClass.isNumber(pattern[position + 2])
        else { throw error("group name must be word characters ending in >", at: open) }
        position = cursor + 1
    }

    /// `(?i: )` and `(?-i: )` (scoped), or `(?i)` and `(?-i)` with the rest of the enclosing group; nil (nothing
    /// read) for other `(?` groups.
    mutating func parseInlineOptions() throws(TokenPatternError) -> (node: RegexNode, isScoped: Bool)? {
        let open = position
        var cursor = position + 2
        var turnsOn = true
        if cursor < pattern.count, pattern[cursor] == "-" {
            turnsOn = false
            cursor += 1
        }
        guard cursor < pattern.count, pattern[cursor] == "i" else {
            if cursor < pattern.count, "msxWDSPyaulL".unicodeScalars.contains(pattern[cursor]) || !turnsOn {
                throw error("option (?\(turnsOn ? "" : "-")\(pattern[cursor]) is not supported", at: open)
            }
            return nil
        }
        cursor += 1
        guard cursor < pattern.count, pattern[cursor] == ":" || pattern[cursor] == ")" else {
            throw error("option group (?i must end in : or ) here", at: open)
        }
        let isScoped = pattern[cursor] == ":"
        position = cursor + 1
        let saved = ignoresCase
        ignoresCase = turnsOn
        defer { ignoresCase = saved }
        let body = try parseAlternation()
        if isScoped {
            guard peek == ")" else { throw error("missing ) for this (", at: open) }
            position += 1
            return (try parseQuantifiers(body, start: open), true)
        }
        return (body, false)
    }
}
