import Foundation

/// Python's arithmetic, comparison and membership on template values:
/// `bool` counts as an integer, `/` always gives a float, `//` and `%`
/// round toward negative infinity, `+` joins strings and lists but never a
/// string and a number.
extension TemplateValue {
    /// The value as a number, when Python treats it as one.
    private var number: (integer: Int?, double: Double)? {
        switch self {
        case .integer(let value): (value, Double(value))
        case .bool(let value): (value ? 1 : 0, value ? 1 : 0)
        case .double(let value): (nil, value)
        default: nil
        }
    }

    private func unsupported(_ op: BinaryOperator, _ other: TemplateValue) -> TemplateProblem {
        TemplateProblem(
            message: "unsupported operand type(s) for \(op.rawValue): '\(typeName)' and '\(other.typeName)'")
    }

    /// The most items or scalars a `*` repetition may make.
    static let maximumRepetition = 10_000_000

    private static func repetitions(_ count: Int, of length: Int) throws(TemplateProblem) -> Int {
        let (total, overflowed) = max(0, count).multipliedReportingOverflow(by: length)
        guard !overflowed, total <= maximumRepetition else {
            throw TemplateProblem(message: "repetition result larger than \(maximumRepetition) items")
        }
        return max(0, count)
    }

    static func overflow(_ op: BinaryOperator) -> TemplateProblem {
        TemplateProblem(message: "integer overflow in '\(op.rawValue)'")
    }

    func applying(_ op: BinaryOperator, _ other: TemplateValue) throws(TemplateProblem) -> TemplateValue {
        if let left = number, let right = other.number {
            return try Self.arithmetic(op, left, right)
        }
        switch (op, self, other) {
        case (.add, .string(let a), .string(let b)): return .string(a + b)
        case (.add, .markup(let a), .markup(let b)): return .markup(a + b)
        case (.add, .markup(let a), .string(let b)): return .markup(a + Self.htmlEscaped(b))
        case (.add, .string(let a), .markup(let b)): return .markup(Self.htmlEscaped(a) + b)
        case (.add, .array(let a), .array(let b)): return .array(a + b)
        case (.add, .tuple(let a), .tuple(let b)): return .tuple(a + b)
        case (.add, .string, _):
            throw TemplateProblem(message: "can only concatenate str (not \"\(other.typeName)\") to str")
        case (.add, .array, _):
            throw TemplateProblem(message: "can only concatenate list (not \"\(other.typeName)\") to list")
        case (.multiply, .tuple(let items), _), (.multiply, _, .tuple(let items)):
            guard let count = (other.number?.integer ?? number?.integer) else { throw unsupported(op, other) }
            return .tuple(Array(repeating: items, count: try Self.repetitions(count, of: items.count)).flatMap { $0 })
        case (.multiply, .string(let text), _), (.multiply, _, .string(let text)):
            guard let count = (other.number?.integer ?? number?.integer) else { throw unsupported(op, other) }
            return .string(String(repeating: text, count: try Self.repetitions(count, of: text.unicodeScalars.count)))
        case (.multiply, .array(let items), _), (.multiply, _, .array(let items)):
            guard let count = (other.number?.integer ?? number?.integer) else { throw unsupported(op, other) }
            return .array(Array(repeating: items, count: try Self.repetitions(count, of: items.count)).flatMap { $0 })
        default:
            throw unsupported(op, other)
        }
    }

    private static func arithmetic(
        _ op: BinaryOperator, _ left: (integer: Int?, double: Double),
        _ right: (integer: Int?, double: Double)
    ) throws(TemplateProblem) -> TemplateValue {
        if let a = left.integer, let b = right.integer {
            switch op {
            case .add: return try checked(a.addingReportingOverflow(b), op)
            case .subtract: return try checked(a.subtractingReportingOverflow(b), op)
            case .multiply: return try checked(a.multipliedReportingOverflow(by: b), op)
            case .divide:
                guard b != 0 else { throw TemplateProblem(message: "division by zero") }
                return .double(Double(a) / Double(b))
            case .floorDivide, .modulo:
                guard b != 0 else { throw TemplateProblem(message: "integer division or modulo by zero") }
                var quotient = a / b
                var remainder = a % b
                if remainder != 0 && (remainder < 0) != (b < 0) {
                    quotient -= 1
                    remainder += b
                }
                return .integer(op == .floorDivide ? quotient : remainder)
            case .power:
                if b >= 0 {
                    var result = 1
                    for _ in 0..<b {
                        let (product, overflowed) = result.multipliedReportingOverflow(by: a)
                        if overflowed { throw overflow(op) }
                        result = product
                    }
                    return .integer(result)
                }
                return .double(pow(Double(a), Double(b)))
            }
        }
        let a = left.double
        let b = right.double
        switch op {
        case .add: return .double(a + b)
        case .subtract: return .double(a - b)
        case .multiply: return .double(a * b)
        case .divide:
            guard b != 0 else { throw TemplateProblem(message: "float division by zero") }
            return .double(a / b)
        case .floorDivide, .modulo:
            guard b != 0 else { throw TemplateProblem(message: "float modulo") }
            var remainder = a.truncatingRemainder(dividingBy: b)
            if remainder != 0 && (remainder < 0) != (b < 0) { remainder += b }
            return op == .modulo ? .double(remainder) : .double(((a - remainder) / b).rounded())
        case .power: return .double(pow(a, b))
        }
    }

    private static func checked(
        _ result: (partialValue: Int, overflow: Bool), _ op: BinaryOperator
    )
        throws(TemplateProblem) -> TemplateValue
    {
        if result.overflow { throw overflow(op) }
        return .integer(result.partialValue)
    }

    /// Python's `==`: numbers compare by value across int, float and bool.
    func pythonEquals(_ other: TemplateValue) -> Bool {
        if let left = number, let right = other.number {
            if let a = left.integer, let b = right.integer { return a == b }
            return left.double == right.double
        }
        switch (self, other) {
        case (.string(let a), .string(let b)), (.markup(let a), .markup(let b)), (.string(let a), .markup(let b)),
            (.markup(let a), .string(let b)):
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.pythonEquals($1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count
                && a.allSatisfy { entry in
                    b.first { $0.key == entry.key }.map { $0.value.pythonEquals(entry.value) } ?? false
                }
        default:
            return self == other
        }
    }

    /// Python's ordering for `<`: numbers, strings (by code point) and lists.
    func pythonLess(_ other: TemplateValue, symbol: String) throws(TemplateProblem) -> Bool {
        if let left = number, let right = other.number {
            if let a = left.integer, let b = right.integer { return a < b }
            return left.double < right.double
        }
        switch (self, other) {
        case (.string(let a), .string(let b)):
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        case (.array(let a), .array(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !x.pythonEquals(y) { return try x.pythonLess(y, symbol: symbol) }
            return a.count < b.count
        default:
            throw TemplateProblem(
                message: "'\(symbol)' not supported between instances of '\(typeName)' and '\(other.typeName)'")
        }
    }

    /// markupsafe's `escape`: the five characters HTML gives meaning to.
    static func htmlEscaped(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&#34;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Python's `needle in self`.
    func pythonContains(_ needle: TemplateValue) throws(TemplateProblem) -> Bool {
        if case .markup(let text) = self { return try TemplateValue.string(text).pythonContains(needle) }
        if case .markup(let text) = needle { return try pythonContains(.string(text)) }
        switch self {
        case .string(let haystack):
            guard case .string(let text) = needle else {
                throw TemplateProblem(message: "'in <string>' requires string as left operand, not \(needle.typeName)")
            }
            return haystack.pythonFind(text) != nil
        case .array(let items), .tuple(let items), .iterator(let items):
            return items.contains { $0.pythonEquals(needle) }
        case .object(let members):
            guard case .string(let key) = needle else { return false }
            return members.contains { $0.key == key }
        case .mapping(let members): return members.contains { $0.key.pythonEquals(needle) }
        case .undefined: return false
        default:
            throw TemplateProblem(message: "argument of type '\(typeName)' is not iterable")
        }
    }
}
