extension RegexParser {
    /// `? * + {n} {n,} {,m} {n,m}`, then `?` for lazy or `+` for possessive (`?*+` only: in Ruby syntax
    /// `{n,m}+` repeats the interval, and `{n}?` makes it optional, so both are refused as ambiguous).
    mutating func parseQuantifiers(_ atom: RegexNode, start: Int) throws(TokenPatternError) -> RegexNode {
        guard let scalar = peek else { return atom }
        let at = position
        var min = 0
        var max: Int?
        var isInterval = false
        switch scalar {
        case "?": max = 1
        case "*": break
        case "+": min = 1
        case "{":
            guard let interval = parseInterval() else { return atom }
            (min, max) = interval
            isInterval = true
        default: return atom
        }
        switch atom {
        case .assertion, .lookahead, .empty:
            throw error("quantifier \(scalar) on something that matches no characters", at: at)
        default: break
        }
        if let max, min > max { throw error("interval minimum above maximum", at: at) }
        if min > Self.maxRepeat || (max ?? 0) > Self.maxRepeat { throw error("interval bound too large", at: at) }
        position = isInterval ? position : position + 1
        var mode = RepetitionMode.greedy
        if peek == "?" {
            if isInterval && min == max { throw error("quantifier ? after {n} (optional or lazy) is ambiguous") }
            mode = .lazy
            position += 1
        } else if peek == "+" {
            if isInterval { throw error("quantifier + after an interval is ambiguous") }
            mode = .possessive
            position += 1
        }
        if let next = peek, next == "?" || next == "*" || next == "+" || (next == "{" && parseInterval() != nil) {
            throw error("quantifier \(next) on a quantifier is not supported")
        }
        if max == 0 { return .empty }
        return .repetition(atom, min: min, max: max, mode: mode)
    }

    /// A `{n}`, `{n,}`, `{,m}` or `{n,m}` at `position` (then moves past it), or nil, leaving `position`, when the
    /// brace is a literal there, as in Oniguruma.
    mutating func parseInterval() -> (min: Int, max: Int?)? {
        var cursor = position + 1
        func number() -> Int? {
            var value: Int?
            while cursor < pattern.count, ("0"..."9").contains(pattern[cursor]) {
                value = Swift.min((value ?? 0) * 10 + Int(pattern[cursor].value - 0x30), 10_000_000)
                cursor += 1
            }
            return value
        }
        let low = number()
        var high = low
        if cursor < pattern.count, pattern[cursor] == "," {
            cursor += 1
            high = number()
            if low == nil && high == nil { return nil }
        } else if low == nil {
            return nil
        }
        guard cursor < pattern.count, pattern[cursor] == "}" else { return nil }
        position = cursor + 1
        return (low ?? 0, high)
    }
}
