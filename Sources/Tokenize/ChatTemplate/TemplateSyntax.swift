/// The parsed form of a template: statements holding expressions, each
/// expression with the place it starts, so render-time errors can point at it.
struct Expression: Sendable {
    indirect enum Kind: Sendable {
        case literal(TemplateValue)
        case name(String)
        case list([Expression])
        case tuple([Expression])
        case dictionary([(key: Expression, value: Expression)])
        case attribute(Expression, String)
        case item(Expression, Expression)
        case slice(Expression, start: Expression?, stop: Expression?, step: Expression?)
        case call(Expression, Arguments)
        /// `value | name(arguments)`; a nil value in a `{% filter %}` block means the block's text.
        case filter(Expression?, String, Arguments)
        case test(Expression, String, Arguments, negated: Bool)
        case negate(Expression)
        case plus(Expression)
        case not(Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        case binary(BinaryOperator, Expression, Expression)
        case compare(Expression, [(CompareOperator, Expression)])
        case concat([Expression])
        case conditional(then: Expression, condition: Expression, otherwise: Expression?)
    }

    let kind: Kind
    let position: SourcePosition
}

/// Positional and keyword arguments of a call, filter or test.
struct Arguments: Sendable {
    var positional: [Expression] = []
    var keywords: [(name: String, value: Expression)] = []
}

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
}

enum CompareOperator: String, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case contains = "in", notContains = "not in"
}

/// Where `set` and `for` put values: names (several unpack a sequence) or a namespace attribute.
enum AssignTarget: Sendable {
    case names([String])
    case namespaceAttribute(String, String)
}

/// A macro's parameters, with the defaults of the trailing ones.
struct MacroSignature: Sendable {
    var parameters: [String] = []
    var defaults: [Expression] = []
}

struct Statement: Sendable {
    indirect enum Kind: Sendable {
        case text(String)
        case output(Expression)
        case conditional([(condition: Expression, body: [Statement])], otherwise: [Statement])
        case loop(Loop)
        case set(AssignTarget, Expression)
        case setBlock(AssignTarget, filters: [Expression], body: [Statement])
        case macro(name: String, MacroSignature, body: [Statement])
        case callBlock(call: Expression, MacroSignature, body: [Statement])
        case filterBlock(filters: [Expression], body: [Statement])
        case with([(name: String, value: Expression)], body: [Statement])
        case breakLoop
        case continueLoop
        /// transformers' `{% generation %}`: renders its body.
        case generation([Statement])
    }

    let kind: Kind
    let position: SourcePosition
}

struct Loop: Sendable {
    let target: [String]
    let iterable: Expression
    let condition: Expression?
    let body: [Statement]
    let otherwise: [Statement]
}
