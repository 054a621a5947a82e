extension RegexParser {
    /// A bracketed class: `[abc]`, `[^a-z\d]`, `[\p{L}\p{N}]`, `[a[bc]]`; `]` first and `-` first or last are
    /// literal.
    mutating func parseClass() throws(TokenPatternError) -> ScalarSet {
        let open = position
        position += 1
        var set = ScalarSet()
        if peek == "^" {
            set.isNegated = true
            position += 1
        }
        var isFirst = true
        while true {
            guard let scalar = peek else { throw error("missing ] for this [", at: open) }
            if scalar == "]" && !isFirst { break }
            isFirst = false
            let itemStart = position
            if scalar == "[" {
                if peek(1) == ":" { throw error("POSIX bracket [: is not supported", at: itemStart) }
                if peek(1) == "^" { throw error("negated nested class [^ is not supported", at: itemStart) }
                set.formUnion(try parseClass())  // `[a[bc]]` is the union, as in BLOOM's `[^(\s|[.,!?…])]`
                continue
            }
            if scalar == "&" && peek(1) == "&" { throw error("class intersection && is not supported", at: itemStart) }
            let item = try parseClassItem()
            guard case .scalar(let low) = item else {
                if case .set(let members) = item { set.formUnion(members) }
                if peek == "-", let after = peek(1), after != "]" {
                    throw error("range bound - after a class escape", at: position)
                }
                continue
            }
            guard peek == "-", let after = peek(1), after != "]" else {
                set.ranges.append(low...low)
                continue
            }
            position += 1
            guard case .scalar(let high) = try parseClassItem() else {
                throw error("range bound - before a class escape", at: itemStart)
            }
            guard low <= high else { throw error("empty range in class (start above end)", at: itemStart) }
            set.ranges.append(low...high)
        }
        position += 1
        return ignoresCase ? try CaseFolding.closure(of: set, at: open) : set
    }

    mutating func parseClassItem() throws(TokenPatternError) -> Escaped {
        // checked: callers look at `peek` first.
        let scalar = peek!
        if scalar == "\\" { return try parseEscapedItem(inClass: true) }
        position += 1
        return .scalar(scalar.value)
    }
}
