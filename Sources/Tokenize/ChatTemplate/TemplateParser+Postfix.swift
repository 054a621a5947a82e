/// Attribute and item access, slices, calls, filters and tests.
extension TemplateParser {
    mutating func parsePostfix(_ start: Expression) throws(TemplateFailure) -> Expression {
        var node = start
        var links = 0
        defer { release(links) }
        while true {
            try link(&links)
            // A postfix expression is placed where its base starts: `messages[0].role` at `m`.
            let position = start.position
            if current.isOperator(".") {
                advance()
                switch current.kind {
                case .name(let name):
                    advance()
                    node = Expression(kind: .attribute(node, name), position: position)
                case .integer(let value):
                    advance()
                    node = Expression(
                        kind: .item(node, Expression(kind: .literal(.integer(value)), position: position)),
                        position: position)
                default:
                    throw fail("expected a name or number after '.'", at: current)
                }
            } else if current.isOperator("[") {
                advance()
                node = try parseSubscript(node, position: position)
            } else if current.isOperator("(") {
                node = Expression(kind: .call(node, try parseArguments()), position: position)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(
        _ base: Expression, position: SourcePosition
    ) throws(TemplateFailure) -> Expression {
        var start: Expression?
        if !current.isOperator(":") {
            let index = try parseExpression()
            if !current.isOperator(":") {
                try expectOperator("]")
                return Expression(kind: .item(base, index), position: position)
            }
            start = index
        }
        advance()
        var stop: Expression?
        var step: Expression?
        if !current.isOperator("]") && !current.isOperator(":") { stop = try parseExpression() }
        if current.isOperator(":") {
            advance()
            if !current.isOperator("]") { step = try parseExpression() }
        }
        try expectOperator("]")
        return Expression(kind: .slice(base, start: start, stop: stop, step: step), position: position)
    }

    mutating func parseArguments() throws(TemplateFailure) -> Arguments {
        try expectOperator("(")
        var arguments = Arguments()
        while !current.isOperator(")") {
            if !arguments.positional.isEmpty || !arguments.keywords.isEmpty {
                try expectOperator(",")
                if current.isOperator(")") { break }
            }
            if case .name(let name) = current.kind, peek.isOperator("=") {
                advance()
                advance()
                arguments.keywords.append((name: name, value: try parseExpression()))
            } else {
                guard arguments.keywords.isEmpty else {
                    throw fail("a positional argument follows a keyword argument", at: current)
                }
                arguments.positional.append(try parseExpression())
            }
        }
        try expectOperator(")")
        return arguments
    }

    mutating func parseFiltersAndTests(_ start: Expression) throws(TemplateFailure) -> Expression {
        var node = start
        var links = 0
        defer { release(links) }
        while true {
            try link(&links)
            if current.isOperator("|") {
                advance()
                node = try parseFilter(node)
            } else if current.isName("is") {
                node = try parseTest(node)
            } else if current.isOperator("(") {
                node = Expression(kind: .call(node, try parseArguments()), position: start.position)
            } else {
                return node
            }
        }
    }

    /// One filter after its `|`: a dotted name and optional arguments.
    mutating func parseFilter(_ value: Expression?) throws(TemplateFailure) -> Expression {
        let position = current.position
        var name = try expectName()
        while current.isOperator(".") {
            advance()
            name += "." + (try expectName())
        }
        let arguments = current.isOperator("(") ? try parseArguments() : Arguments()
        return Expression(kind: .filter(value, name, arguments), position: position)
    }

    private mutating func parseTest(_ value: Expression) throws(TemplateFailure) -> Expression {
        advance()
        var negated = false
        if current.isName("not") {
            negated = true
            advance()
        }
        let position = current.position
        var name = try expectName()
        while current.isOperator(".") {
            advance()
            name += "." + (try expectName())
        }
        var arguments = Arguments()
        if current.isOperator("(") {
            arguments = try parseArguments()
        } else if startsBareTestArgument {
            if current.isName("is") { throw fail("tests cannot be chained with 'is'", at: current) }
            arguments.positional = [try parsePostfix(try parsePrimary())]
        }
        return Expression(kind: .test(value, name, arguments, negated: negated), position: position)
    }

    /// Whether a test's single argument follows without parentheses (`x is divisibleby 3`).
    private var startsBareTestArgument: Bool {
        switch current.kind {
        case .name(let name): return !["else", "or", "and"].contains(name)
        case .string, .integer, .float, .operator_("("), .operator_("["), .operator_("{"): return true
        default: return false
        }
    }
}
