/// Refuses unknown filters and tests when the template is compiled, where
/// jinja2 does: everywhere except inside an `if` (its tests and bodies) or a
/// conditional expression, where jinja2 waits until the filter is actually
/// used. A `for`, `macro`, `call`, `filter` or `with` body starts afresh.
struct TemplateValidator {
    static func check(_ statements: [Statement]) throws(TemplateFailure) {
        for statement in statements { try check(statement, soft: false) }
    }

    private static func check(_ statements: [Statement], soft: Bool) throws(TemplateFailure) {
        for statement in statements { try check(statement, soft: soft) }
    }

    private static func check(_ statement: Statement, soft: Bool) throws(TemplateFailure) {
        switch statement.kind {
        case .text, .breakLoop, .continueLoop: break
        case .output(let expression), .set(_, let expression): try check(expression, soft: soft)
        case .conditional(let branches, let otherwise):
            for branch in branches {
                try check(branch.condition, soft: true)
                try check(branch.body, soft: true)
            }
            try check(otherwise, soft: true)
        case .loop(let loop):
            try check(loop.iterable, soft: soft)
            if let condition = loop.condition { try check(condition, soft: false) }
            try check(loop.body, soft: false)
            try check(loop.otherwise, soft: false)
        case .setBlock(_, let filters, let body):
            for filter in filters { try check(filter, soft: soft) }
            try check(body, soft: soft)
        case .macro(_, let signature, let body):
            for value in signature.defaults { try check(value, soft: false) }
            try check(body, soft: false)
        case .callBlock(let call, _, let body):
            try check(call, soft: soft)
            try check(body, soft: false)
        case .filterBlock(let filters, let body):
            for filter in filters { try check(filter, soft: soft) }
            try check(body, soft: false)
        case .with(let bindings, let body):
            for binding in bindings { try check(binding.value, soft: soft) }
            try check(body, soft: false)
        case .generation(let body):
            try check(body, soft: false)
        }
    }

    private static func check(_ arguments: Arguments, soft: Bool) throws(TemplateFailure) {
        for argument in arguments.positional { try check(argument, soft: soft) }
        for keyword in arguments.keywords { try check(keyword.value, soft: soft) }
    }

    private static func check(_ expression: Expression, soft: Bool) throws(TemplateFailure) {
        switch expression.kind {
        case .literal, .name: break
        case .list(let items), .tuple(let items), .concat(let items): for item in items { try check(item, soft: soft) }
        case .dictionary(let pairs):
            for pair in pairs {
                try check(pair.key, soft: soft)
                try check(pair.value, soft: soft)
            }
        case .attribute(let base, _), .negate(let base), .plus(let base), .not(let base): try check(base, soft: soft)
        case .item(let base, let key), .and(let base, let key), .or(let base, let key), .binary(_, let base, let key):
            try check(base, soft: soft)
            try check(key, soft: soft)
        case .slice(let base, let start, let stop, let step):
            try check(base, soft: soft)
            for part in [start, stop, step] { if let part { try check(part, soft: soft) } }
        case .call(let callee, let arguments):
            try check(callee, soft: soft)
            try check(arguments, soft: soft)
        case .filter(let value, let name, let arguments):
            if !soft && !TemplateRenderer.filterNames.contains(name) {
                throw TemplateFailure(position: expression.position, problem: "no filter named '\(name)'")
            }
            if let value { try check(value, soft: soft) }
            try check(arguments, soft: soft)
        case .test(let value, let name, let arguments, _):
            if !soft && !TemplateRenderer.testNames.contains(name) {
                throw TemplateFailure(position: expression.position, problem: "no test named '\(name)'")
            }
            try check(value, soft: soft)
            try check(arguments, soft: soft)
        case .compare(let first, let operations):
            try check(first, soft: soft)
            for operation in operations { try check(operation.1, soft: soft) }
        case .conditional(let then, let condition, let otherwise):
            try check(then, soft: true)
            try check(condition, soft: true)
            if let otherwise { try check(otherwise, soft: true) }
        }
    }
}
