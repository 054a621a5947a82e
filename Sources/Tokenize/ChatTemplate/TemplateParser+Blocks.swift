/// The tags that define or wrap a body: `macro`, `call`, `filter` and `with`.
extension TemplateParser {
    private mutating func parseSignature() throws(TemplateFailure) -> MacroSignature {
        var signature = MacroSignature()
        try expectOperator("(")
        while !current.isOperator(")") {
            if !signature.parameters.isEmpty { try expectOperator(",") }
            let token = current
            signature.parameters.append(try expectName())
            if current.isOperator("=") {
                advance()
                signature.defaults.append(try parseExpression())
            } else if !signature.defaults.isEmpty {
                throw fail("a parameter without a default follows one with a default", at: token)
            }
        }
        try expectOperator(")")
        return signature
    }

    mutating func parseMacro(at opener: TemplateToken) throws(TemplateFailure) -> Statement.Kind {
        let name = try expectName()
        let signature = try parseSignature()
        let savedDepth = loopDepth
        loopDepth = 0
        defer { loopDepth = savedDepth }
        return .macro(name: name, signature, body: try parseBlock("macro", at: opener, until: ["endmacro"]).body)
    }

    mutating func parseCallBlock(at opener: TemplateToken) throws(TemplateFailure) -> Statement.Kind {
        let signature = current.isOperator("(") ? try parseSignature() : MacroSignature()
        let call = try parseExpression()
        guard case .call = call.kind else { throw fail("expected a macro call after 'call'", at: opener) }
        return .callBlock(call: call, signature, body: try parseBlock("call", at: opener, until: ["endcall"]).body)
    }

    mutating func parseFilterBlock(at opener: TemplateToken) throws(TemplateFailure) -> Statement.Kind {
        var filters = [try parseFilter(nil)]
        while current.isOperator("|") {
            advance()
            filters.append(try parseFilter(nil))
        }
        return .filterBlock(filters: filters, body: try parseBlock("filter", at: opener, until: ["endfilter"]).body)
    }

    mutating func parseWith(at opener: TemplateToken) throws(TemplateFailure) -> Statement.Kind {
        var bindings: [(name: String, value: Expression)] = []
        while current.kind != .blockEnd {
            if !bindings.isEmpty { try expectOperator(",") }
            let name = try expectName()
            try expectOperator("=")
            bindings.append((name: name, value: try parseExpression()))
        }
        return .with(bindings, body: try parseBlock("with", at: opener, until: ["endwith"]).body)
    }
}
