/// Expressions, with jinja2's precedence (jinja2/parser.py): conditional,
/// `or`, `and`, `not`, comparisons and `in`, `+ -`, `~`, `* / // %`, `**`
/// (left-associative), unary `- +`, then postfix `.`, `[]`, `()` and
/// filters and tests, which bind tightest.
extension TemplateParser {
    mutating func parseExpression(allowConditional: Bool = true) throws(TemplateFailure) -> Expression {
        try enter(at: current)
        defer { leave() }
        return allowConditional ? try parseConditional() : try parseOr()
    }

    private mutating func parseConditional() throws(TemplateFailure) -> Expression {
        var result = try parseOr()
        var links = 0
        defer { release(links) }
        while current.isName("if") {
            try link(&links)
            let position = result.position
            advance()
            let condition = try parseOr()
            var otherwise: Expression?
            if current.isName("else") {
                advance()
                otherwise = try parseConditional()
            }
            result = Expression(
                kind: .conditional(then: result, condition: condition, otherwise: otherwise), position: position)
        }
        return result
    }

    private mutating func parseOr() throws(TemplateFailure) -> Expression {
        var left = try parseAnd()
        var links = 0
        defer { release(links) }
        while current.isName("or") {
            try link(&links)
            advance()
            left = Expression(kind: .or(left, try parseAnd()), position: left.position)
        }
        return left
    }

    private mutating func parseAnd() throws(TemplateFailure) -> Expression {
        var left = try parseNot()
        var links = 0
        defer { release(links) }
        while current.isName("and") {
            try link(&links)
            advance()
            left = Expression(kind: .and(left, try parseNot()), position: left.position)
        }
        return left
    }

    private mutating func parseNot() throws(TemplateFailure) -> Expression {
        guard current.isName("not") else { return try parseCompare() }
        let position = current.position
        try enter(at: current)
        defer { leave() }
        advance()
        return Expression(kind: .not(try parseNot()), position: position)
    }

    private mutating func parseCompare() throws(TemplateFailure) -> Expression {
        let left = try parseAdditive()
        var operations: [(CompareOperator, Expression)] = []
        while true {
            if case .operator_(let symbol) = current.kind, let op = CompareOperator(rawValue: symbol),
                op != .contains, op != .notContains
            {
                advance()
                operations.append((op, try parseAdditive()))
            } else if current.isName("in") {
                advance()
                operations.append((.contains, try parseAdditive()))
            } else if current.isName("not"), peek.isName("in") {
                advance()
                advance()
                operations.append((.notContains, try parseAdditive()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : Expression(kind: .compare(left, operations), position: left.position)
    }

    private mutating func parseAdditive() throws(TemplateFailure) -> Expression {
        var left = try parseConcat()
        var links = 0
        defer { release(links) }
        while current.isOperator("+") || current.isOperator("-") {
            try link(&links)
            let op: BinaryOperator = current.isOperator("+") ? .add : .subtract
            advance()
            left = Expression(kind: .binary(op, left, try parseConcat()), position: left.position)
        }
        return left
    }

    private mutating func parseConcat() throws(TemplateFailure) -> Expression {
        var parts = [try parseMultiplicative()]
        while current.isOperator("~") {
            advance()
            parts.append(try parseMultiplicative())
        }
        return parts.count == 1 ? parts[0] : Expression(kind: .concat(parts), position: parts[0].position)
    }

    private mutating func parseMultiplicative() throws(TemplateFailure) -> Expression {
        var left = try parsePower()
        var links = 0
        defer { release(links) }
        while case .operator_(let symbol) = current.kind, ["*", "/", "//", "%"].contains(symbol),
            let op = BinaryOperator(rawValue: symbol)
        {
            try link(&links)
            advance()
            left = Expression(kind: .binary(op, left, try parsePower()), position: left.position)
        }
        return left
    }

    private mutating func parsePower() throws(TemplateFailure) -> Expression {
        var left = try parseUnary(withFilters: true)
        var links = 0
        defer { release(links) }
        while current.isOperator("**") {
            try link(&links)
            advance()
            left = Expression(kind: .binary(.power, left, try parseUnary(withFilters: true)), position: left.position)
        }
        return left
    }

    private mutating func parseUnary(withFilters: Bool) throws(TemplateFailure) -> Expression {
        let position = current.position
        try enter(at: current)
        defer { leave() }
        var node: Expression
        if current.isOperator("-") {
            advance()
            node = Expression(kind: .negate(try parseUnary(withFilters: false)), position: position)
        } else if current.isOperator("+") {
            advance()
            node = Expression(kind: .plus(try parseUnary(withFilters: false)), position: position)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        return withFilters ? try parseFiltersAndTests(node) : node
    }

    mutating func parsePrimary() throws(TemplateFailure) -> Expression {
        let token = current
        switch token.kind {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return Expression(kind: .literal(.bool(true)), position: token.position)
            case "false", "False": return Expression(kind: .literal(.bool(false)), position: token.position)
            case "none", "None": return Expression(kind: .literal(.none), position: token.position)
            default: return Expression(kind: .name(name), position: token.position)
            }
        case .string(var value):
            advance()
            while case .string(let next) = current.kind {
                value += next
                advance()
            }
            return Expression(kind: .literal(.string(value)), position: token.position)
        case .integer(let value):
            advance()
            return Expression(kind: .literal(.integer(value)), position: token.position)
        case .float(let value):
            advance()
            return Expression(kind: .literal(.double(value)), position: token.position)
        case .operator_("("):
            advance()
            let inner = try parseTuple(explicitParentheses: true)
            try expectOperator(")")
            return inner
        case .operator_("["):
            advance()
            var items: [Expression] = []
            while !current.isOperator("]") {
                if !items.isEmpty { try expectOperator(",") }
                if current.isOperator("]") { break }
                items.append(try parseExpression())
            }
            try expectOperator("]")
            return Expression(kind: .list(items), position: token.position)
        case .operator_("{"):
            advance()
            var pairs: [(key: Expression, value: Expression)] = []
            while !current.isOperator("}") {
                if !pairs.isEmpty { try expectOperator(",") }
                if current.isOperator("}") { break }
                let key = try parseExpression()
                try expectOperator(":")
                pairs.append((key: key, value: try parseExpression()))
            }
            try expectOperator("}")
            return Expression(kind: .dictionary(pairs), position: token.position)
        default:
            throw fail("expected an expression, found \(token.kind.description)", at: token)
        }
    }

    /// Expressions separated by commas; several make a tuple (a list here).
    mutating func parseTuple(
        explicitParentheses: Bool = false, allowConditional: Bool = true,
        endNames: [String] = []
    ) throws(TemplateFailure) -> Expression {
        let position = current.position
        var items: [Expression] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOperator(",") }
            if isTupleEnd(endNames) { break }
            items.append(try parseExpression(allowConditional: allowConditional))
            if current.isOperator(",") { isTuple = true } else { break }
        }
        if !isTuple, let only = items.first { return only }
        if items.isEmpty && !explicitParentheses {
            throw fail("expected an expression, found \(current.kind.description)", at: current)
        }
        return Expression(kind: .tuple(items), position: position)
    }

    private func isTupleEnd(_ endNames: [String]) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .operator_(")"): return true
        case .name(let name): return endNames.contains(name)
        default: return false
        }
    }
}
