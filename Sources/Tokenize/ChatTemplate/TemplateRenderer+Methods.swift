/// The methods of Python's `str`, `dict` and `list` that templates call.
/// The immutable sandbox refuses the ones that change a list or dict.
extension TemplateRenderer {
    private static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "split", "splitlines", "startswith", "endswith", "upper", "lower", "title",
        "capitalize", "replace", "find", "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "isupper",
        "islower",
    ]
    private static let dictMethods: Set<String> = ["items", "keys", "values", "get", "copy"]
    private static let unsafeDictMethods: Set<String> = ["update", "pop", "popitem", "setdefault", "clear"]
    private static let listMethods: Set<String> = ["index", "count", "copy"]
    private static let unsafeListMethods: Set<String> = [
        "append", "extend", "insert", "pop", "remove", "clear", "sort",
        "reverse",
    ]

    static func method(_ name: String, of value: TemplateValue) -> TemplateValue? {
        let safe: Set<String>
        let unsafe: Set<String>
        switch value {
        case .string: (safe, unsafe) = (stringMethods, [])
        case .object, .mapping: (safe, unsafe) = (dictMethods, unsafeDictMethods)
        case .array: (safe, unsafe) = (listMethods, unsafeListMethods)
        case .tuple: (safe, unsafe) = (listMethods, [])
        default: return nil
        }
        if safe.contains(name) { return .function(TemplateFunction(kind: .method(value, name))) }
        if unsafe.contains(name) {
            return .function(TemplateFunction(kind: .unsafeMethod(typeName: value.typeName, name: name)))
        }
        return nil
    }

    func callMethod(
        _ name: String, of receiver: TemplateValue, _ arguments: CallArguments
    ) throws(TemplateProblem)
        -> TemplateValue
    {
        switch receiver {
        case .string(let text): return try Self.callStringMethod(name, on: text, arguments)
        case .object(let members):
            switch name {
            case "items": return .array(members.map { .tuple([.string($0.key), $0.value]) })
            case "keys": return .array(members.map { .string($0.key) })
            case "values": return .array(members.map(\.value))
            case "get":
                guard case .string(let key)? = arguments.value(0, "key") else {
                    return arguments.value(1, "default") ?? .none
                }
                return receiver.member(key) ?? arguments.value(1, "default") ?? .none
            default: return receiver
            }
        case .mapping(let members):
            switch name {
            case "items": return .array(members.map { .tuple([$0.key, $0.value]) })
            case "keys": return .array(members.map(\.key))
            case "values": return .array(members.map(\.value))
            case "get":
                let key = arguments.value(0, "key") ?? .none
                return members.first { $0.key.pythonEquals(key) }?.value ?? arguments.value(1, "default") ?? .none
            default: return receiver
            }
        case .array(let items), .tuple(let items):
            switch name {
            case "count": return .integer(items.filter { $0.pythonEquals(arguments.value(0, "value") ?? .none) }.count)
            case "index":
                let needle = arguments.value(0, "value") ?? .none
                guard let index = items.firstIndex(where: { $0.pythonEquals(needle) }) else {
                    throw TemplateProblem(message: "\(needle.reprText) is not in list")
                }
                return .integer(index)
            default: return receiver
            }
        default:
            throw TemplateProblem(message: "'\(receiver.typeName)' object has no attribute '\(name)'")
        }
    }

    private static func string(_ value: TemplateValue?, _ method: String) throws(TemplateProblem) -> String? {
        switch value {
        case nil, .none?: return nil
        case .string(let text)?: return text
        case let other?: throw TemplateProblem(message: "\(method) arg must be None or str, not \(other.typeName)")
        }
    }

    private static func callStringMethod(
        _ name: String, on text: String, _ arguments: CallArguments
    )
        throws(TemplateProblem) -> TemplateValue
    {
        switch name {
        case "strip", "lstrip", "rstrip":
            let characters = try string(arguments.value(0, "chars"), name)
            return .string(text.pythonStrip(characters, leading: name != "rstrip", trailing: name != "lstrip"))
        case "split":
            let separator = try string(arguments.value(0, "sep"), name)
            if separator == "" { throw TemplateProblem(message: "empty separator") }
            guard case .integer(let limit) = arguments.value(1, "maxsplit") ?? .integer(-1) else {
                throw TemplateProblem(message: "maxsplit must be an integer")
            }
            return .array(text.pythonSplit(separator, maxSplits: limit).map { .string($0) })
        case "splitlines": return .array(text.pythonSplitLines().map { .string($0) })
        case "startswith", "endswith":
            let candidates: [TemplateValue]
            switch arguments.value(0, "prefix") {
            case .string?: candidates = [arguments.positional[0]]
            case .array(let items)?, .tuple(let items)?: candidates = items
            default: throw TemplateProblem(message: "\(name) first arg must be str or a tuple of str")
            }
            for case .string(let affix) in candidates {
                if name == "startswith" ? text.pythonStartsWith(affix) : text.pythonEndsWith(affix) {
                    return .bool(true)
                }
            }
            return .bool(false)
        case "upper": return .string(text.uppercased())
        case "lower": return .string(text.lowercased())
        case "capitalize": return .string(text.pythonCapitalized())
        case "title":
            var result = ""
            var previousCased = false
            for scalar in text.unicodeScalars {
                let cased = scalar.properties.isCased
                result += previousCased ? String(scalar).lowercased() : String(scalar).uppercased()
                previousCased = cased
            }
            return .string(result)
        case "replace":
            guard case .string(let old)? = arguments.value(0, "old"), case .string(let new)? = arguments.value(1, "new")
            else { throw TemplateProblem(message: "replace() arguments must be str") }
            guard case .integer(let count) = arguments.value(2, "count") ?? .integer(-1) else {
                throw TemplateProblem(message: "replace() count must be an integer")
            }
            return .string(text.pythonReplace(old, with: new, count: count))
        case "find", "count":
            guard case .string(let needle)? = arguments.value(0, "sub") else {
                throw TemplateProblem(message: "\(name)() argument must be str")
            }
            if name == "find" { return .integer(text.pythonFind(needle) ?? -1) }
            if needle.isEmpty { return .integer(text.unicodeScalars.count + 1) }
            return .integer(text.pythonSplit(needle).count - 1)
        case "join":
            var parts: [String] = []
            for item in arguments.positional.first.map({ $0.iterableItems }) ?? [] {
                guard case .string(let part) = item else {
                    throw TemplateProblem(message: "sequence item: expected str instance, \(item.typeName) found")
                }
                parts.append(part)
            }
            return .string(parts.joined(separator: text))
        default:
            let scalars = text.unicodeScalars
            let test: (Unicode.Scalar) -> Bool =
                switch name {
                case "isdigit": { $0.properties.numericType != nil }
                case "isalpha": { $0.properties.isAlphabetic }
                case "isalnum": { $0.properties.isAlphabetic || $0.properties.numericType != nil }
                case "isspace": { String.isPythonWhitespace($0) }
                case "isupper": { !$0.properties.isLowercase }
                default: { !$0.properties.isUppercase }
                }
            return .bool(!scalars.isEmpty && scalars.allSatisfy(test))
        }
    }
}

extension TemplateValue {
    /// Items for methods that take any iterable; non-iterables give none.
    var iterableItems: [TemplateValue] {
        switch self {
        case .array(let items), .tuple(let items), .iterator(let items): items
        case .object(let members): members.map { .string($0.key) }
        case .string(let text): text.unicodeScalars.map { .string(String($0)) }
        default: []
        }
    }
}
