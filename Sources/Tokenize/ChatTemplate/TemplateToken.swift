/// One token of a template: text outside tags, tag delimiters, and the
/// names, literals and operators inside tags.
enum TemplateTokenKind: Equatable {
    case data(String)
    case variableBegin
    case variableEnd
    case blockBegin
    case blockEnd
    case name(String)
    case string(String)
    case integer(Int)
    case float(Double)
    case operator_(String)
    case end

    /// How messages name the token.
    var description: String {
        switch self {
        case .data: "template data"
        case .variableBegin: "'{{'"
        case .variableEnd: "'}}'"
        case .blockBegin: "'{%'"
        case .blockEnd: "'%}'"
        case .name(let name): "'\(name)'"
        case .string: "a string"
        case .integer(let value): "'\(value)'"
        case .float(let value): "'\(value)'"
        case .operator_(let op): "'\(op)'"
        case .end: "the end of the template"
        }
    }
}

/// A token and where it starts.
struct TemplateToken {
    let kind: TemplateTokenKind
    let position: SourcePosition

    /// Whether the token is the name `word` (keywords are names in Jinja).
    func isName(_ word: String) -> Bool {
        if case .name(let name) = kind { return name == word }
        return false
    }

    func isOperator(_ op: String) -> Bool {
        if case .operator_(let value) = kind { return value == op }
        return false
    }
}
