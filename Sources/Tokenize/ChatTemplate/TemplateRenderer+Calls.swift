/// Calls: macros, a `call` block's `caller`, bound methods, `loop.cycle`
/// and the globals transformers provides.
extension TemplateRenderer {
    static let globalNames: Set<String> = ["range", "namespace", "dict", "raise_exception", "strftime_now"]
    private static let maximumCallDepth = 64

    func evaluateCall(
        _ expression: Expression, extraKeywords: [(name: String, value: TemplateValue)]
    )
        throws(TemplateFailure) -> TemplateValue
    {
        guard case .call(let calleeExpression, let argumentExpressions) = expression.kind else {
            return try evaluate(expression)
        }
        let callee = try defined(calleeExpression)
        var arguments = try evaluate(argumentExpressions)
        arguments.keywords += extraKeywords
        guard case .function(let function) = callee else {
            throw TemplateFailure(position: expression.position, problem: "'\(callee.typeName)' object is not callable")
        }
        switch function.kind {
        case .macro(let index), .caller(let index):
            // A macro's failures keep their own place inside its body.
            return try callMacro(callables[index], arguments, at: expression.position)
        default:
            do throws(TemplateProblem) {
                return try call(function, arguments)
            } catch {
                throw TemplateFailure(position: expression.position, problem: error.message)
            }
        }
    }

    private func call(_ function: TemplateFunction, _ arguments: CallArguments) throws(TemplateProblem) -> TemplateValue
    {
        switch function.kind {
        case .global(let name): return try callGlobal(name, arguments)
        case .method(let receiver, let name): return try callMethod(name, of: receiver, arguments)
        case .unsafeMethod(let typeName, let name):
            throw TemplateProblem(message: "access to attribute '\(name)' of '\(typeName)' object is unsafe.")
        case .cycle(let index):
            guard !arguments.positional.isEmpty else { throw TemplateProblem(message: "no items for cycling given") }
            return arguments.positional[index % arguments.positional.count]
        case .macro, .caller:
            throw TemplateProblem(message: "macros are called by evaluateCall, which keeps their places")
        }
    }

    private func callMacro(
        _ macro: Callable, _ arguments: CallArguments, at position: SourcePosition
    )
        throws(TemplateFailure) -> TemplateValue
    {
        guard callDepth < Self.maximumCallDepth else {
            throw TemplateFailure(
                position: position,
                problem: "macro '\(macro.name)' nested deeper than \(Self.maximumCallDepth) calls")
        }
        let parameters = macro.signature.parameters
        guard arguments.positional.count <= parameters.count else {
            throw TemplateFailure(
                position: position,
                problem: "macro '\(macro.name)' takes not more than \(parameters.count) argument(s)")
        }
        let saved = scopes
        scopes = macro.capturedScopes ?? Array(scopes.prefix(macro.scopeDepth))
        scopes.append([:])
        callDepth += 1
        defer {
            scopes = saved
            callDepth -= 1
        }
        let firstDefault = parameters.count - macro.signature.defaults.count
        for (index, name) in parameters.enumerated() {
            if let value = arguments.value(index, name) {
                assign(name, value)
            } else if index >= firstDefault {
                assign(name, try evaluate(macro.signature.defaults[index - firstDefault]))
            } else {
                assign(name, .undefined)
            }
        }
        for keyword in arguments.keywords where !parameters.contains(keyword.name) {
            guard keyword.name == "caller" else {
                throw TemplateFailure(
                    position: position,
                    problem: "macro '\(macro.name)' takes no keyword argument '\(keyword.name)'")
            }
            assign("caller", keyword.value)
        }
        return .string(try capture(macro.body))
    }

    private func callGlobal(_ name: String, _ arguments: CallArguments) throws(TemplateProblem) -> TemplateValue {
        switch name {
        case "raise_exception":
            throw TemplateProblem(message: arguments.value(0, "message")?.displayText ?? "")
        case "range":
            var bounds: [Int] = []
            for value in arguments.positional {
                guard case .integer(let number) = value else {
                    throw TemplateProblem(message: "'\(value.typeName)' object cannot be interpreted as an integer")
                }
                bounds.append(number)
            }
            let (start, stop, step) =
                switch bounds.count {
                case 1: (0, bounds[0], 1)
                case 2: (bounds[0], bounds[1], 1)
                case 3: (bounds[0], bounds[1], bounds[2])
                default: (0, 0, 0)
                }
            guard step != 0 else { throw TemplateProblem(message: "range() takes 1 to 3 integers, the step not 0") }
            let values = Array(stride(from: start, to: stop, by: step))
            guard values.count <= 100_000 else { throw TemplateProblem(message: "range too big") }
            return .array(values.map { .integer($0) })
        case "namespace", "dict":
            var members: [(key: String, value: TemplateValue)] = []
            for value in arguments.positional {
                guard case .object(let initial) = value else {
                    throw TemplateProblem(message: "\(name)() takes a dict, not '\(value.typeName)'")
                }
                for member in initial { members.set(member.key, member.value) }
            }
            for keyword in arguments.keywords { members.set(keyword.name, keyword.value) }
            if name == "dict" { return .object(members) }
            namespaces.append(members)
            return .namespace(namespaces.count - 1)
        default:
            guard case .string(let format)? = arguments.value(0, "format") else {
                throw TemplateProblem(message: "strftime_now() takes a format string")
            }
            return .string((time ?? TemplateTime.now()).formatted(format))
        }
    }
}
