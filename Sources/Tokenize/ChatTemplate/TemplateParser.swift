/// Builds statements from tokens, following jinja2's parser for the tags
/// chat templates use: `if`, `for` (with `if`, `else`, `break`, `continue`),
/// `set` (also `ns.attr` and block form), `macro`, `call`, `filter`, `with`,
/// `print` and transformers' `generation`.
struct TemplateParser {
    private let tokens: [TemplateToken]
    private var index = 0
    /// Open block tags, innermost last, for messages about bad nesting.
    private var openBlocks: [(name: String, position: SourcePosition)] = []
    var loopDepth = 0
    /// Nesting of expressions and blocks, bounded so a hostile template cannot exhaust the stack.
    private var depth = 0
    static let maximumDepth = 100
    /// Operands and postfix steps in the current expression chain (`a + b + c`, `x.y | f`),
    /// which nest the tree without nesting the parser; bounded for the renderer's sake.
    private var chainLength = 0
    static let maximumChainLength = 300

    private static let closers: [String: String] = [
        "endif": "if", "elif": "if", "else": "if or for", "endfor": "for", "endset": "set", "endmacro": "macro",
        "endcall": "call", "endfilter": "filter", "endwith": "with", "endgeneration": "generation",
    ]

    static func parse(_ tokens: [TemplateToken]) throws(TemplateFailure) -> [Statement] {
        var parser = TemplateParser(tokens: tokens)
        return try parser.parseBody(until: []).body
    }

    private init(tokens: [TemplateToken]) { self.tokens = tokens }

    var current: TemplateToken { tokens[index] }
    var peek: TemplateToken { tokens[min(index + 1, tokens.count - 1)] }

    /// Enters one level of nesting at `token`; pair with `leave()`.
    mutating func enter(at token: TemplateToken) throws(TemplateFailure) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw fail("nested deeper than \(Self.maximumDepth) levels", at: token)
        }
    }

    mutating func leave() { depth -= 1 }

    /// Counts one more link of a left-nested chain; the caller gives them back with `release`.
    mutating func link(_ links: inout Int) throws(TemplateFailure) {
        links += 1
        chainLength += 1
        guard chainLength <= Self.maximumChainLength else {
            throw fail("expression chain longer than \(Self.maximumChainLength) steps", at: current)
        }
    }

    mutating func release(_ links: Int) { chainLength -= links }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    func fail(_ problem: String, at token: TemplateToken) -> TemplateFailure {
        TemplateFailure(position: token.position, problem: problem)
    }

    mutating func expectOperator(_ op: String) throws(TemplateFailure) {
        guard current.isOperator(op) else {
            throw fail("expected '\(op)', found \(current.kind.description)", at: current)
        }
        advance()
    }

    mutating func expectName() throws(TemplateFailure) -> String {
        guard case .name(let name) = current.kind else {
            throw fail("expected a name, found \(current.kind.description)", at: current)
        }
        advance()
        return name
    }

    mutating func expectBlockEnd() throws(TemplateFailure) {
        guard current.kind == .blockEnd else {
            throw fail("expected '%}', found \(current.kind.description)", at: current)
        }
        advance()
    }

    /// Statements up to a block tag named in `endNames`, whose name is
    /// consumed and returned (the rest of that tag is left to the caller).
    private mutating func parseBody(
        until endNames: [String]
    ) throws(TemplateFailure) -> (body: [Statement], end: String) {
        var body: [Statement] = []
        while true {
            let token = current
            switch token.kind {
            case .data(let text):
                body.append(Statement(kind: .text(text), position: token.position))
                advance()
            case .variableBegin:
                advance()
                let value = try parseTuple()
                guard current.kind == .variableEnd else {
                    throw fail("expected '}}', found \(current.kind.description)", at: current)
                }
                advance()
                body.append(Statement(kind: .output(value), position: value.position))
            case .blockBegin:
                advance()
                if case .name(let name) = current.kind, endNames.contains(name) {
                    advance()
                    return (body, name)
                }
                body.append(try parseStatement(openedAt: token))
            case .end:
                if let open = openBlocks.last {
                    let expected = endNames.map { "'\($0)'" }.joined(separator: " or ")
                    throw TemplateFailure(
                        position: open.position, problem: "'\(open.name)' is never closed (expected \(expected))")
                }
                return (body, "")
            default:
                throw fail("unexpected \(token.kind.description)", at: token)
            }
        }
    }

    /// The body of a block tag whose header has been read, through its end tag.
    mutating func parseBlock(
        _ name: String, at opener: TemplateToken, until endNames: [String]
    )
        throws(TemplateFailure) -> (body: [Statement], end: String)
    {
        try expectBlockEnd()
        try enter(at: opener)
        openBlocks.append((name: name, position: opener.position))
        defer {
            openBlocks.removeLast()
            leave()
        }
        return try parseBody(until: endNames)
    }

    private mutating func parseStatement(openedAt opener: TemplateToken) throws(TemplateFailure) -> Statement {
        let nameToken = current
        guard case .name(let name) = nameToken.kind else { throw fail("expected a tag name", at: nameToken) }
        advance()
        let kind: Statement.Kind
        switch name {
        case "if": kind = try parseIf(at: opener)
        case "for": kind = try parseFor(at: opener)
        case "set": kind = try parseSet(at: opener)
        case "macro": kind = try parseMacro(at: opener)
        case "call": kind = try parseCallBlock(at: opener)
        case "filter": kind = try parseFilterBlock(at: opener)
        case "with": kind = try parseWith(at: opener)
        case "generation": kind = .generation(try parseBlock("generation", at: opener, until: ["endgeneration"]).body)
        case "print": kind = .output(try parseTuple())
        case "break", "continue":
            guard loopDepth > 0 else { throw fail("'\(name)' outside a loop", at: nameToken) }
            kind = name == "break" ? .breakLoop : .continueLoop
        default:
            throw unknownTag(name, at: nameToken)
        }
        try expectBlockEnd()
        return Statement(kind: kind, position: opener.position)
    }

    private func unknownTag(_ name: String, at token: TemplateToken) -> TemplateFailure {
        guard let opener = Self.closers[name] else {
            if ["block", "extends", "include", "import", "from", "autoescape"].contains(name) {
                return fail("tag '\(name)' is not supported in chat templates", at: token)
            }
            return fail("unknown tag '\(name)'", at: token)
        }
        if let open = openBlocks.last {
            return fail("unexpected '\(name)' inside '\(open.name)' (line \(open.position.line))", at: token)
        }
        return fail("'\(name)' without a matching '\(opener)'", at: token)
    }

    private mutating func parseIf(at opener: TemplateToken) throws(TemplateFailure) -> Statement.Kind {
        var branches: [(condition: Expression, body: [Statement])] = []
        var condition = try parseTuple(allowConditional: false)
        while true {
            let (body, end) = try parseBlock("if", at: opener, until: ["elif", "else", "endif"])
            branches.append((condition: condition, body: body))
            switch end {
            case "elif":
                condition = try parseTuple(allowConditional: false)
            case "else":
                let otherwise = try parseBlock("if", at: opener, until: ["endif"]).body
                return .conditional(branches, otherwise: otherwise)
            default:
                return .conditional(branches, otherwise: [])
            }
        }
    }

    private mutating func parseFor(at opener: TemplateToken) throws(TemplateFailure) -> Statement.Kind {
        var target: [String] = []
        repeat {
            if !target.isEmpty { try expectOperator(",") }
            target.append(try expectName())
        } while current.isOperator(",")
        guard current.isName("in") else { throw fail("expected 'in', found \(current.kind.description)", at: current) }
        advance()
        let iterable = try parseTuple(allowConditional: false, endNames: ["recursive"])
        var condition: Expression?
        if current.isName("if") {
            advance()
            condition = try parseExpression()
        }
        if current.isName("recursive") { throw fail("recursive loops are not supported", at: current) }
        loopDepth += 1
        let (body, end) = try parseBlock("for", at: opener, until: ["endfor", "else"])
        loopDepth -= 1
        var otherwise: [Statement] = []
        if end == "else" { otherwise = try parseBlock("for", at: opener, until: ["endfor"]).body }
        return .loop(Loop(target: target, iterable: iterable, condition: condition, body: body, otherwise: otherwise))
    }

    private mutating func parseAssignTarget() throws(TemplateFailure) -> AssignTarget {
        let first = try expectName()
        if current.isOperator(".") {
            advance()
            return .namespaceAttribute(first, try expectName())
        }
        var names = [first]
        while current.isOperator(",") {
            advance()
            names.append(try expectName())
        }
        return .names(names)
    }

    private mutating func parseSet(at opener: TemplateToken) throws(TemplateFailure) -> Statement.Kind {
        let target = try parseAssignTarget()
        if current.isOperator("=") {
            advance()
            return .set(target, try parseTuple())
        }
        var filters: [Expression] = []
        while current.isOperator("|") {
            advance()
            filters.append(try parseFilter(nil))
        }
        return .setBlock(target, filters: filters, body: try parseBlock("set", at: opener, until: ["endset"]).body)
    }
}
