/// Evaluating expressions. Missing names, attributes and items are
/// `Undefined` (jinja2's default), which prints as nothing and is false,
/// but using one further (an attribute of it, arithmetic, a call) is an error.
extension TemplateRenderer {
    func evaluate(_ expression: Expression) throws(TemplateFailure) -> TemplateValue {
        let position = expression.position
        switch expression.kind {
        case .literal(let value): return value
        case .name(let name): return lookup(name)
        case .list(let items):
            var values: [TemplateValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item)) }
            return .array(values)
        case .tuple(let items):
            var values: [TemplateValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .tuple(values)
        case .dictionary(let pairs):
            var members: [(key: TemplateValue, value: TemplateValue)] = []
            for pair in pairs {
                let key = try evaluate(pair.key)
                switch key {
                case .string, .integer, .double, .bool, .none, .tuple: break
                default:
                    throw TemplateFailure(position: pair.key.position, problem: "unhashable type: '\(key.typeName)'")
                }
                let value = try evaluate(pair.value)
                if let index = members.firstIndex(where: { $0.key.pythonEquals(key) }) {
                    members[index].value = value
                } else {
                    members.append((key: key, value: value))
                }
            }
            var named: [(key: String, value: TemplateValue)] = []
            for member in members {
                guard case .string(let key) = member.key else { return .mapping(members) }
                named.append((key: key, value: member.value))
            }
            return .object(named)
        case .attribute(let base, let name):
            return attribute(name, of: try defined(base))
        case .item(let base, let key):
            let container = try defined(base)
            return item(try evaluate(key), of: container)
        case .slice(let base, let start, let stop, let step):
            let container = try defined(base)
            return try slice(
                container, start: start.map(evaluate), stop: stop.map(evaluate),
                step: step.map(evaluate), at: position)
        case .call:
            return try evaluateCall(expression, extraKeywords: [])
        case .filter(let value, let name, let arguments):
            guard let value else { throw TemplateFailure(position: position, problem: "filter without a value") }
            return try applyFilter(name, to: try evaluate(value), arguments: try evaluate(arguments), at: position)
        case .test(let value, let name, let arguments, let negated):
            let result = try applyTest(name, to: try evaluate(value), arguments: try evaluate(arguments), at: position)
            return .bool(result != negated)
        case .negate(let operand):
            switch try defined(operand) {
            case .integer(let value): return .integer(0 &- value)
            case .bool(let value): return .integer(value ? -1 : 0)
            case .double(let value): return .double(-value)
            case let other:
                throw TemplateFailure(position: position, problem: "bad operand type for unary -: '\(other.typeName)'")
            }
        case .plus(let operand):
            return try defined(operand)
        case .not(let operand):
            return .bool(!(try evaluate(operand).isTruthy))
        case .and(let left, let right):
            let value = try evaluate(left)
            return value.isTruthy ? try evaluate(right) : value
        case .or(let left, let right):
            let value = try evaluate(left)
            return value.isTruthy ? value : try evaluate(right)
        case .binary(let op, let left, let right):
            let a = try defined(left)
            let b = try defined(right)
            do throws(TemplateProblem) {
                return try a.applying(op, b)
            } catch {
                throw TemplateFailure(position: position, problem: error.message)
            }
        case .compare(let first, let operations):
            return .bool(try compare(first, operations))
        case .concat(let parts):
            var text = ""
            for part in parts { text += try evaluate(part).displayText }
            return .string(text)
        case .conditional(let then, let condition, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map(evaluate) ?? .undefined
        }
    }

    /// The value of `expression`, which must not be Undefined.
    func defined(_ expression: Expression) throws(TemplateFailure) -> TemplateValue {
        let value = try evaluate(expression)
        guard value != .undefined else {
            throw TemplateFailure(position: expression.position, problem: Self.undefinedMessage(expression))
        }
        return value
    }

    static func undefinedMessage(_ expression: Expression) -> String {
        switch expression.kind {
        case .name(let name): "'\(name)' is undefined"
        case .attribute(_, let name): "'\(name)' is undefined (no such attribute)"
        case .item(_, let key):
            if case .literal(let value) = key.kind {
                "\(value.reprText) is undefined (no such item)"
            } else {
                "the item is undefined"
            }
        default: "the value is undefined"
        }
    }

    func evaluate(_ arguments: Arguments) throws(TemplateFailure) -> CallArguments {
        var result = CallArguments()
        for argument in arguments.positional { result.positional.append(try evaluate(argument)) }
        for keyword in arguments.keywords { result.keywords.append((keyword.name, try evaluate(keyword.value))) }
        return result
    }

    private func compare(
        _ first: Expression, _ operations: [(CompareOperator, Expression)]
    ) throws(TemplateFailure)
        -> Bool
    {
        var left = try evaluate(first)
        var leftExpression = first
        for (op, rightExpression) in operations {
            let right = try evaluate(rightExpression)
            let holds: Bool
            do throws(TemplateProblem) {
                switch op {
                case .equal: holds = left.pythonEquals(right)
                case .notEqual: holds = !left.pythonEquals(right)
                case .contains, .notContains:
                    holds = try right.pythonContains(left) == (op == .contains)
                case .less, .lessOrEqual, .greater, .greaterOrEqual:
                    if left == .undefined {
                        throw TemplateProblem(message: Self.undefinedMessage(leftExpression))
                    }
                    if right == .undefined {
                        throw TemplateProblem(message: Self.undefinedMessage(rightExpression))
                    }
                    switch op {
                    case .less: holds = try left.pythonLess(right, symbol: op.rawValue)
                    case .greater: holds = try right.pythonLess(left, symbol: op.rawValue)
                    case .lessOrEqual: holds = try !right.pythonLess(left, symbol: op.rawValue)
                    default: holds = try !left.pythonLess(right, symbol: op.rawValue)
                    }
                }
            } catch {
                throw TemplateFailure(position: rightExpression.position, problem: error.message)
            }
            if !holds { return false }
            left = right
            leftExpression = rightExpression
        }
        return true
    }

    /// `value.name`: a method of a string, list or dict first, as Python's
    /// `getattr` finds it, then a dict's key or a namespace's attribute.
    func attribute(_ name: String, of value: TemplateValue) -> TemplateValue {
        if let method = Self.method(name, of: value) { return method }
        switch value {
        case .object: return value.member(name) ?? .undefined
        case .namespace(let id): return namespaces[id].first { $0.key == name }?.value ?? .undefined
        default: return .undefined
        }
    }

    /// `value[key]`: an index, a dict key, or (failing those) an attribute.
    func item(_ key: TemplateValue, of value: TemplateValue) -> TemplateValue {
        switch (value, key) {
        case (.array(let items), .integer(let index)), (.tuple(let items), .integer(let index)):
            let resolved = index < 0 ? index + items.count : index
            return items.indices.contains(resolved) ? items[resolved] : .undefined
        case (.string(let text), .integer(let index)):
            let scalars = text.scalars
            let resolved = index < 0 ? index + scalars.count : index
            return scalars.indices.contains(resolved) ? .string(String(scalars[resolved])) : .undefined
        case (.mapping(let members), _):
            return members.first { $0.key.pythonEquals(key) }?.value ?? .undefined
        case (.object, .string(let name)):
            return value.member(name) ?? Self.method(name, of: value) ?? .undefined
        case (_, .string(let name)):
            return attribute(name, of: value)
        case (_, .bool(let flag)):
            return item(.integer(flag ? 1 : 0), of: value)
        default:
            return .undefined
        }
    }

    private func slice(
        _ value: TemplateValue, start: TemplateValue?, stop: TemplateValue?, step: TemplateValue?,
        at position: SourcePosition
    ) throws(TemplateFailure) -> TemplateValue {
        func bound(_ value: TemplateValue?) throws(TemplateFailure) -> Int? {
            switch value {
            case nil, .none?: return nil
            case .integer(let number)?: return number
            case .bool(let flag)?: return flag ? 1 : 0
            default:
                throw TemplateFailure(position: position, problem: "slice indices must be integers or None")
            }
        }
        let stride = try bound(step) ?? 1
        guard stride != 0 else { throw TemplateFailure(position: position, problem: "slice step cannot be zero") }
        let pick = { (count: Int, start: Int?, stop: Int?) -> [Int] in
            func clamp(_ index: Int?, _ fallback: Int, low: Int, high: Int) -> Int {
                guard let index else { return fallback }
                return Swift.min(Swift.max(index < 0 ? index + count : index, low), high)
            }
            if stride > 0 {
                let from = clamp(start, 0, low: 0, high: count)
                let to = clamp(stop, count, low: 0, high: count)
                return Array(Swift.stride(from: from, to: to, by: stride))
            }
            let from = clamp(start, count - 1, low: -1, high: count - 1)
            let to = clamp(stop, -1, low: -1, high: count - 1)
            return Array(Swift.stride(from: from, to: to, by: stride))
        }
        let from = try bound(start)
        let to = try bound(stop)
        switch value {
        case .array(let items): return .array(pick(items.count, from, to).map { items[$0] })
        case .tuple(let items): return .tuple(pick(items.count, from, to).map { items[$0] })
        case .string(let text):
            let scalars = text.scalars
            return .string(String(scalars: pick(scalars.count, from, to).map { scalars[$0] }))
        default:
            throw TemplateFailure(position: position, problem: "'\(value.typeName)' object is not subscriptable")
        }
    }
}

/// Evaluated arguments of a call, filter or test.
struct CallArguments {
    var positional: [TemplateValue] = []
    var keywords: [(name: String, value: TemplateValue)] = []

    /// The argument at `index`, or given as `name`.
    func value(_ index: Int, _ name: String) -> TemplateValue? {
        if index < positional.count { return positional[index] }
        return keywords.first { $0.name == name }?.value
    }
}
