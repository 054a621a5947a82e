/// Runs a parsed template once. Scopes follow jinja2: a `for` iteration,
/// a macro call and a `with` block each get a fresh scope (so `set` inside
/// them does not leak out, which is why templates use `namespace`), while
/// `if` shares its enclosing scope; a macro sees the scopes that enclosed
/// its definition as they are when it is called.
final class TemplateRenderer {
    /// A macro or `call` body and the number of scopes visible to it.
    struct Callable {
        let name: String
        let signature: MacroSignature
        let body: [Statement]
        /// The enclosing scopes a macro sees, or the whole call site's for a `caller`.
        let capturedScopes: [[String: TemplateValue]]?
        let scopeDepth: Int
    }

    enum Flow {
        case normal, breakLoop, continueLoop
    }

    var scopes: [[String: TemplateValue]]
    var namespaces: [[(key: String, value: TemplateValue)]] = []
    var callables: [Callable] = []
    var output = ""
    /// Nesting of macro calls, bounded so a recursive macro ends with an error.
    var callDepth = 0
    /// Loop iterations left in this rendering, so no template runs for ever.
    var iterationsLeft = 10_000_000

    /// The time `strftime_now` formats, or nil for the clock's.
    let time: TemplateTime?

    init(variables: [String: TemplateValue], time: TemplateTime?) {
        scopes = [variables]
        self.time = time
    }

    func lookup(_ name: String) -> TemplateValue {
        for scope in scopes.reversed() {
            if let value = scope[name] { return value }
        }
        if Self.globalNames.contains(name) { return .function(TemplateFunction(kind: .global(name))) }
        return .undefined
    }

    func assign(_ name: String, _ value: TemplateValue) {
        scopes[scopes.count - 1][name] = value
    }

    /// Renders `statements` into a string of their own, leaving `output` as it was.
    func capture(_ statements: [Statement]) throws(TemplateFailure) -> String {
        let saved = output
        output = ""
        defer { output = saved }
        _ = try execute(statements)
        return output
    }

    func execute(_ statements: [Statement]) throws(TemplateFailure) -> Flow {
        for statement in statements {
            let flow = try execute(statement)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ statement: Statement) throws(TemplateFailure) -> Flow {
        switch statement.kind {
        case .text(let text):
            output += text
        case .output(let expression):
            output += try evaluate(expression).displayText
        case .conditional(let branches, let otherwise):
            for branch in branches where try evaluate(branch.condition).isTruthy {
                return try execute(branch.body)
            }
            return try execute(otherwise)
        case .loop(let loop):
            try run(loop, at: statement.position)
        case .set(let target, let expression):
            try assign(target, try evaluate(expression), at: statement.position)
        case .setBlock(let target, let filters, let body):
            var value = TemplateValue.string(try capture(body))
            for filter in filters { value = try applyFilter(filter, to: value) }
            try assign(target, value, at: statement.position)
        case .macro(let name, let signature, let body):
            callables.append(
                Callable(
                    name: name, signature: signature, body: body, capturedScopes: nil,
                    scopeDepth: scopes.count))
            assign(name, .function(TemplateFunction(kind: .macro(callables.count - 1))))
        case .callBlock(let call, let signature, let body):
            callables.append(
                Callable(
                    name: "caller", signature: signature, body: body, capturedScopes: scopes,
                    scopeDepth: scopes.count))
            let caller = TemplateValue.function(TemplateFunction(kind: .caller(callables.count - 1)))
            output += try evaluateCall(call, extraKeywords: [("caller", caller)]).displayText
        case .filterBlock(let filters, let body):
            var value = TemplateValue.string(try capture(body))
            for filter in filters { value = try applyFilter(filter, to: value) }
            output += value.displayText
        case .with(let bindings, let body):
            var scope: [String: TemplateValue] = [:]
            for binding in bindings { scope[binding.name] = try evaluate(binding.value) }
            scopes.append(scope)
            defer { scopes.removeLast() }
            return try execute(body)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        case .generation(let body):
            return try execute(body)
        }
        return .normal
    }

    private func assign(
        _ target: AssignTarget, _ value: TemplateValue, at position: SourcePosition
    )
        throws(TemplateFailure)
    {
        switch target {
        case .names(let names):
            guard names.count > 1 else {
                assign(names[0], value)
                return
            }
            for (name, item) in zip(names, try unpack(value, count: names.count, at: position)) { assign(name, item) }
        case .namespaceAttribute(let name, let attribute):
            guard case .namespace(let id) = lookup(name) else {
                throw TemplateFailure(
                    position: position, problem: "cannot assign attribute on non-namespace object '\(name)'")
            }
            namespaces[id].set(attribute, value)
        }
    }

    func unpack(
        _ value: TemplateValue, count: Int, at position: SourcePosition
    ) throws(TemplateFailure)
        -> [TemplateValue]
    {
        let items = try iterate(value, at: position)
        guard items.count == count else {
            let problem =
                items.count > count
                ? "too many values to unpack (expected \(count))"
                : "not enough values to unpack (expected \(count), got \(items.count))"
            throw TemplateFailure(position: position, problem: problem)
        }
        return items
    }

    /// The items a `for` loop or filter walks: list items, dict keys, string characters.
    func iterate(_ value: TemplateValue, at position: SourcePosition) throws(TemplateFailure) -> [TemplateValue] {
        switch value {
        case .array(let items), .tuple(let items), .iterator(let items): return items
        case .object(let members): return members.map { .string($0.key) }
        case .mapping(let members): return members.map(\.key)
        case .string(let text), .markup(let text): return text.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        case .namespace(let id): return namespaces[id].map { .string($0.key) }
        default: throw TemplateFailure(position: position, problem: "'\(value.typeName)' object is not iterable")
        }
    }

    private func run(_ loop: Loop, at position: SourcePosition) throws(TemplateFailure) {
        var items = try iterate(try evaluate(loop.iterable), at: loop.iterable.position)
        if let condition = loop.condition {
            var kept: [TemplateValue] = []
            for item in items {
                scopes.append(try bind(loop.target, to: item, at: position))
                defer { scopes.removeLast() }
                if try evaluate(condition).isTruthy { kept.append(item) }
            }
            items = kept
        }
        guard !items.isEmpty else {
            _ = try execute(loop.otherwise)
            return
        }
        for (index, item) in items.enumerated() {
            iterationsLeft -= 1
            guard iterationsLeft >= 0 else {
                throw TemplateFailure(
                    position: position, problem: "more than 10,000,000 loop iterations in one rendering")
            }
            var scope = try bind(loop.target, to: item, at: position)
            scope["loop"] = Self.loopObject(index: index, items: items)
            scopes.append(scope)
            defer { scopes.removeLast() }
            if try execute(loop.body) == .breakLoop { break }
        }
    }

    private func bind(
        _ target: [String], to item: TemplateValue, at position: SourcePosition
    ) throws(TemplateFailure)
        -> [String: TemplateValue]
    {
        if target.count == 1 { return [target[0]: item] }
        var scope: [String: TemplateValue] = [:]
        for (name, value) in zip(target, try unpack(item, count: target.count, at: position)) { scope[name] = value }
        return scope
    }

    private static func loopObject(index: Int, items: [TemplateValue]) -> TemplateValue {
        let count = items.count
        return .object([
            (key: "index", value: .integer(index + 1)), (key: "index0", value: .integer(index)),
            (key: "revindex", value: .integer(count - index)), (key: "revindex0", value: .integer(count - index - 1)),
            (key: "first", value: .bool(index == 0)), (key: "last", value: .bool(index == count - 1)),
            (key: "length", value: .integer(count)), (key: "depth", value: .integer(1)),
            (key: "depth0", value: .integer(0)),
            (key: "previtem", value: index > 0 ? items[index - 1] : .undefined),
            (key: "nextitem", value: index + 1 < count ? items[index + 1] : .undefined),
            (key: "cycle", value: .function(TemplateFunction(kind: .cycle(index)))),
        ])
    }
}
