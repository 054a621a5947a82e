/// jinja2's filters that chat templates use (jinja2/filters.py), with
/// transformers' own `tojson`. Values are converted as Python would:
/// string filters apply `str()` first, so Undefined becomes "".
extension TemplateRenderer {
    static let filterNames: Set<String> = [
        "trim", "tojson", "length", "count", "upper", "lower", "title", "capitalize", "default", "d", "first", "last",
        "join", "replace", "list", "items", "string", "int", "float", "safe", "abs", "round", "indent", "selectattr",
        "rejectattr", "select", "reject", "map", "unique", "dictsort", "sort", "reverse", "sum", "min", "max", "escape",
        "e", "wordcount", "center", "batch",
    ]

    /// Applies a filter node of a `{% filter %}` or `{% set %}` block to its text.
    func applyFilter(_ filter: Expression, to value: TemplateValue) throws(TemplateFailure) -> TemplateValue {
        guard case .filter(_, let name, let arguments) = filter.kind else { return value }
        return try applyFilter(name, to: value, arguments: try evaluate(arguments), at: filter.position)
    }

    func applyFilter(
        _ name: String, to value: TemplateValue, arguments: CallArguments, at position: SourcePosition
    )
        throws(TemplateFailure) -> TemplateValue
    {
        do throws(TemplateProblem) {
            if let result = try stringFilter(name, value, arguments) { return result }
            if let result = try sequenceFilter(name, value, arguments, at: position) { return result }
        } catch {
            throw TemplateFailure(position: position, problem: error.message)
        }
        throw TemplateFailure(position: position, problem: "no filter named '\(name)'")
    }

    private func stringFilter(
        _ name: String, _ value: TemplateValue, _ arguments: CallArguments
    )
        throws(TemplateProblem) -> TemplateValue?
    {
        let text = value.displayText
        switch name {
        case "trim":
            guard case .string(let characters)? = arguments.value(0, "chars") else {
                return .string(text.pythonStrip(nil))
            }
            return .string(text.pythonStrip(characters))
        case "upper": return .string(text.uppercased())
        case "lower": return .string(text.lowercased())
        case "capitalize": return .string(text.pythonCapitalized())
        case "title":
            var result = ""
            var atWordStart = true
            for scalar in text.unicodeScalars {
                let separates =
                    scalar == "-" || "({[<".unicodeScalars.contains(scalar) || String.isPythonWhitespace(scalar)
                result += atWordStart && !separates ? String(scalar).uppercased() : String(scalar).lowercased()
                atWordStart = separates
            }
            return .string(result)
        case "string": return .string(text)
        case "safe":
            if case .markup = value { return value }
            return .markup(text)
        case "escape", "e":
            if case .markup = value { return value }
            return .markup(TemplateValue.htmlEscaped(text))
        case "replace":
            let old = arguments.value(0, "old")?.displayText ?? ""
            let new = arguments.value(1, "new")?.displayText ?? ""
            guard case .integer(let count) = arguments.value(2, "count") ?? .integer(-1) else { return .string(text) }
            return .string(text.pythonReplace(old, with: new, count: count))
        case "indent":
            let width = arguments.value(0, "width") ?? .integer(4)
            let indentation: String
            if case .string(let given) = width {
                indentation = given
            } else {
                guard case .integer(let count) = width else {
                    throw TemplateProblem(message: "indent width must be a number")
                }
                indentation = String(repeating: " ", count: max(0, count))
            }
            let first = arguments.value(1, "first")?.isTruthy ?? false
            let blank = arguments.value(2, "blank")?.isTruthy ?? false
            var lines = (text + "\n").pythonSplitLines()
            var result: String
            if blank {
                result = lines.joined(separator: "\n" + indentation)
            } else {
                result = lines.removeFirst()
                if !lines.isEmpty {
                    result += "\n" + lines.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
                }
            }
            return .string(first ? indentation + result : result)
        case "center":
            guard case .integer(let width) = arguments.value(0, "width") ?? .integer(80) else { return .string(text) }
            let padding = max(0, width - text.unicodeScalars.count)
            let left = padding / 2 + (padding % 2 == 1 && width % 2 == 1 ? 1 : 0)
            return .string(String(repeating: " ", count: left) + text + String(repeating: " ", count: padding - left))
        case "wordcount": return .integer(text.pythonSplit(nil).count)
        case "tojson": return .string(try value.jsonDump(try jsonOptions(arguments)))
        case "int":
            if let number = Self.integer(value) { return .integer(number) }
            return arguments.value(0, "default") ?? .integer(0)
        case "float":
            switch value {
            case .integer(let number): return .double(Double(number))
            case .bool(let flag): return .double(flag ? 1 : 0)
            case .double: return value
            case .string(let text): if let number = Double(text.pythonStrip(nil)) { return .double(number) }
            default: break
            }
            return arguments.value(0, "default") ?? .double(0)
        case "abs":
            switch value {
            case .integer(let number): return .integer(number.magnitude > UInt(Int.max) ? number : abs(number))
            case .bool(let flag): return .integer(flag ? 1 : 0)
            case .double(let number): return .double(abs(number))
            default: throw TemplateProblem(message: "bad operand type for abs(): '\(value.typeName)'")
            }
        case "round":
            let number: Double
            switch value {
            case .integer(let whole): number = Double(whole)
            case .double(let real): number = real
            case .bool(let flag): number = flag ? 1 : 0
            default: throw TemplateProblem(message: "type \(value.typeName) doesn't define __round__ method")
            }
            guard case .integer(let precision) = arguments.value(0, "precision") ?? .integer(0) else { return value }
            let method = arguments.value(1, "method")?.displayText ?? "common"
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            var scale = 1.0
            for _ in 0..<max(0, precision) { scale *= 10 }
            return .double((number * scale).rounded(rule) / scale)
        default:
            return nil
        }
    }

    /// Python's `int(value)`, falling back to `int(float(value))` as jinja2's `int` filter does.
    private static func integer(_ value: TemplateValue) -> Int? {
        switch value {
        case .integer(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        case .double(let number): return number.isFinite && abs(number) < 9e18 ? Int(number) : nil
        case .string(let text):
            let trimmed = text.pythonStrip(nil).replacingUnderscoresBetweenDigits
            if let number = Int(trimmed) { return number }
            if let real = Double(trimmed), real.isFinite, abs(real) < 9e18 { return Int(real) }
            return nil
        default: return nil
        }
    }

    /// transformers' `tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
    private func jsonOptions(_ arguments: CallArguments) throws(TemplateProblem) -> JSONDumpOptions {
        var indent: String?
        switch arguments.value(1, "indent") {
        case .integer(let count)?: indent = String(repeating: " ", count: max(0, count))
        case .string(let text)?: indent = text
        default: indent = nil
        }
        var separators: (item: String, key: String)?
        if let pair = arguments.value(2, "separators")?.sequenceItems, pair.count == 2,
            case .string(let item) = pair[0], case .string(let key) = pair[1]
        {
            separators = (item, key)
        }
        let sortKeys = arguments.value(3, "sort_keys")?.isTruthy ?? false
        let ensureASCII = arguments.value(0, "ensure_ascii")?.isTruthy ?? false
        return JSONDumpOptions(indent: indent, separators: separators, sortKeys: sortKeys, ensureASCII: ensureASCII)
    }
}

extension String {
    /// Python's `int()` accepts `1_000`; Swift's `Int()` does not.
    fileprivate var replacingUnderscoresBetweenDigits: String {
        String(scalars: unicodeScalars.filter { $0 != "_" })
    }
}
