/// jinja2's tests (jinja2/tests.py): `x is defined`, `x is string`,
/// `x is equalto 3`, ... Note that `bool` is a `number` but not an `integer`.
extension TemplateRenderer {
    static let testNames: Set<String> = [
        "defined", "undefined", "none", "string", "number", "integer", "float", "mapping", "iterable", "sequence",
        "boolean", "true", "false", "callable", "equalto", "eq", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=",
        "gt", "greaterthan", ">", "ge", ">=", "in", "odd", "even", "divisibleby", "sameas", "lower", "upper", "escaped",
        "filter", "test",
    ]

    func applyTest(
        _ name: String, to value: TemplateValue, arguments: CallArguments, at position: SourcePosition
    )
        throws(TemplateFailure) -> Bool
    {
        do throws(TemplateProblem) {
            if let result = try test(name, value, arguments.positional.first ?? .undefined) { return result }
        } catch {
            throw TemplateFailure(position: position, problem: error.message)
        }
        throw TemplateFailure(position: position, problem: "no test named '\(name)'")
    }

    private func test(_ name: String, _ value: TemplateValue, _ other: TemplateValue) throws(TemplateProblem) -> Bool? {
        switch name {
        case "defined": return value != .undefined
        case "undefined": return value == .undefined
        case "none": return value == .none
        case "string":
            switch value {
            case .string, .markup: return true
            default: return false
            }
        case "mapping":
            switch value {
            case .object, .mapping: return true
            default: return false
            }
        case "boolean": if case .bool = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "integer": if case .integer = value { return true } else { return false }
        case "callable": if case .function = value { return true } else { return false }
        case "number":
            switch value {
            case .integer, .double, .bool: return true
            default: return false
            }
        case "true": return value == .bool(true)
        case "false": return value == .bool(false)
        case "iterable":
            switch value {
            case .string, .array, .tuple, .object, .undefined, .namespace, .iterator: return true
            default: return false
            }
        case "sequence":
            switch value {
            case .string, .array, .tuple, .object: return true
            default: return false
            }
        case "equalto", "eq", "==": return value.pythonEquals(other)
        case "ne", "!=": return !value.pythonEquals(other)
        case "lt", "lessthan", "<": return try value.pythonLess(other, symbol: "<")
        case "gt", "greaterthan", ">": return try other.pythonLess(value, symbol: ">")
        case "le", "<=": return try !other.pythonLess(value, symbol: "<=")
        case "ge", ">=": return try !value.pythonLess(other, symbol: ">=")
        case "in": return try other.pythonContains(value)
        case "sameas": return value == other
        case "escaped": return false
        case "odd", "even", "divisibleby":
            guard case .integer(let number) = value else {
                throw TemplateProblem(message: "'\(value.typeName)' is not an integer")
            }
            if name == "odd" { return number % 2 != 0 }
            if name == "even" { return number % 2 == 0 }
            guard case .integer(let divisor) = other, divisor != 0 else {
                throw TemplateProblem(message: "divisibleby needs a non-zero integer")
            }
            return number % divisor == 0
        case "lower", "upper":
            guard case .string(let text) = value else { return false }
            return name == "lower" ? text == text.lowercased() : text == text.uppercased()
        case "filter": return Self.filterNames.contains(value.displayText)
        case "test": return Self.testNames.contains(value.displayText)
        default: return nil
        }
    }
}
