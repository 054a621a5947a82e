/// Filters over sequences and mappings: length, first/last, join, list and
/// items, the select/reject and map families, unique, sort and dictsort.
extension TemplateRenderer {
    func sequenceFilter(
        _ name: String, _ value: TemplateValue, _ arguments: CallArguments, at position: SourcePosition
    )
        throws(TemplateProblem) -> TemplateValue?
    {
        switch name {
        case "length", "count":
            switch value {
            case .string(let text): return .integer(text.unicodeScalars.count)
            case .array(let items), .tuple(let items): return .integer(items.count)
            case .object(let members): return .integer(members.count)
            case .mapping(let members): return .integer(members.count)
            case .undefined: return .integer(0)
            case .namespace(let id): return .integer(namespaces[id].count)
            default: throw TemplateProblem(message: "object of type '\(value.typeName)' has no len()")
            }
        case "default", "d":
            let fallback = arguments.value(0, "default_value") ?? .string("")
            let boolean = arguments.value(1, "boolean")?.isTruthy ?? false
            return value == .undefined || (boolean && !value.isTruthy) ? fallback : value
        case "first", "last":
            let items = try items(value, at: position)
            return (name == "first" ? items.first : items.last) ?? .undefined
        case "list": return .array(try items(value, at: position))
        case "reverse":
            if case .string(let text) = value { return .string(String(scalars: text.scalars.reversed())) }
            return .array(try items(value, at: position).reversed())
        case "items":
            switch value {
            case .undefined: return .iterator([])
            case .object(let members): return .iterator(members.map { .tuple([.string($0.key), $0.value]) })
            default: throw TemplateProblem(message: "Can only get item pairs from a mapping.")
            }
        case "join":
            let separator = arguments.value(0, "d")?.displayText ?? ""
            var parts = try items(value, at: position)
            if let attribute = arguments.value(1, "attribute") { parts = parts.map { lookup(attribute, in: $0) } }
            return .string(parts.map(\.displayText).joined(separator: separator))
        case "select", "reject", "selectattr", "rejectattr":
            return .iterator(value.isTruthy ? try select(name, value, arguments, at: position) : [])
        case "map": return .iterator(value.isTruthy ? try map(value, arguments, at: position) : [])
        case "unique":
            let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
            let attribute = arguments.value(1, "attribute")
            var seen: [TemplateValue] = []
            var kept: [TemplateValue] = []
            for item in try items(value, at: position) {
                let key = Self.sortKey(attribute.map { lookup($0, in: item) } ?? item, caseSensitive: caseSensitive)
                if !seen.contains(where: { $0.pythonEquals(key) }) {
                    seen.append(key)
                    kept.append(item)
                }
            }
            return .array(kept)
        case "sort", "dictsort", "min", "max":
            return try sorted(name, value, arguments, at: position)
        case "sum":
            var total = arguments.value(2, "start") ?? .integer(0)
            let attribute = arguments.value(0, "attribute")
            for item in try items(value, at: position) {
                total = try total.applying(.add, attribute.map { lookup($0, in: item) } ?? item)
            }
            return total
        case "batch":
            guard case .integer(let size) = arguments.value(0, "linecount") ?? .none, size > 0 else {
                throw TemplateProblem(message: "batch needs a positive size")
            }
            let all = try items(value, at: position)
            return .array(
                stride(from: 0, to: all.count, by: size).map { .array(Array(all[$0..<min($0 + size, all.count)])) })
        default:
            return nil
        }
    }

    private func items(_ value: TemplateValue, at position: SourcePosition) throws(TemplateProblem) -> [TemplateValue] {
        do throws(TemplateFailure) {
            return try iterate(value, at: position)
        } catch {
            throw TemplateProblem(message: error.problem)
        }
    }

    /// jinja2's attribute getter: a dotted path, each part an item (or an index if all digits).
    func lookup(_ path: TemplateValue, in value: TemplateValue) -> TemplateValue {
        guard case .string(let dotted) = path else { return item(path, of: value) }
        var current = value
        for part in dotted.split(separator: ".", omittingEmptySubsequences: false) {
            current = Int(part).map { item(.integer($0), of: current) } ?? item(.string(String(part)), of: current)
        }
        return current
    }

    private func select(
        _ name: String, _ value: TemplateValue, _ arguments: CallArguments, at position: SourcePosition
    )
        throws(TemplateProblem) -> [TemplateValue]
    {
        let byAttribute = name.hasSuffix("attr")
        let keeps = name.hasPrefix("select")
        let offset = byAttribute ? 1 : 0
        let attribute = byAttribute ? arguments.positional.first : nil
        if byAttribute && attribute == nil { throw TemplateProblem(message: "Missing parameter for attribute name") }
        let testName = arguments.positional.count > offset ? arguments.positional[offset].displayText : nil
        let testArguments = CallArguments(positional: Array(arguments.positional.dropFirst(offset + 1)))
        var kept: [TemplateValue] = []
        for item in try items(value, at: position) {
            let subject = attribute.map { lookup($0, in: item) } ?? item
            var passes = subject.isTruthy
            if let testName {
                do throws(TemplateFailure) {
                    passes = try applyTest(testName, to: subject, arguments: testArguments, at: position)
                } catch {
                    throw TemplateProblem(message: error.problem)
                }
            }
            if passes == keeps { kept.append(item) }
        }
        return kept
    }

    private func map(
        _ value: TemplateValue, _ arguments: CallArguments, at position: SourcePosition
    )
        throws(TemplateProblem) -> [TemplateValue]
    {
        let all = try items(value, at: position)
        if let attribute = arguments.keywords.first(where: { $0.name == "attribute" })?.value {
            let fallback = arguments.keywords.first { $0.name == "default" }?.value
            return all.map { item in
                let found = lookup(attribute, in: item)
                return found == .undefined ? fallback ?? .undefined : found
            }
        }
        guard case .string(let filterName)? = arguments.positional.first else {
            throw TemplateProblem(message: "map requires a filter name or attribute=")
        }
        let rest = CallArguments(positional: Array(arguments.positional.dropFirst()), keywords: arguments.keywords)
        var mapped: [TemplateValue] = []
        for item in all {
            do throws(TemplateFailure) {
                mapped.append(try applyFilter(filterName, to: item, arguments: rest, at: position))
            } catch {
                throw TemplateProblem(message: error.problem)
            }
        }
        return mapped
    }

    /// Strings compare case-insensitively unless asked, as jinja2's `ignore_case`.
    private static func sortKey(_ value: TemplateValue, caseSensitive: Bool) -> TemplateValue {
        if !caseSensitive, case .string(let text) = value { return .string(text.lowercased()) }
        return value
    }

    private func sorted(
        _ name: String, _ value: TemplateValue, _ arguments: CallArguments, at position: SourcePosition
    )
        throws(TemplateProblem) -> TemplateValue
    {
        var pairs: [(key: TemplateValue, item: TemplateValue)]
        let caseSensitive: Bool
        var reverse = false
        if name == "dictsort" {
            let members: [(key: TemplateValue, value: TemplateValue)]
            switch value {
            case .object(let named): members = named.map { (key: .string($0.key), value: $0.value) }
            case .mapping(let general): members = general
            default: throw TemplateProblem(message: "dictsort needs a mapping")
            }
            caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
            let byValue = arguments.value(1, "by")?.displayText == "value"
            reverse = arguments.value(2, "reverse")?.isTruthy ?? false
            pairs = members.map {
                (key: byValue ? $0.value : $0.key, item: .tuple([$0.key, $0.value]))
            }
        } else {
            let isSort = name == "sort"
            if isSort { reverse = arguments.value(0, "reverse")?.isTruthy ?? false }
            caseSensitive = arguments.value(isSort ? 1 : 0, "case_sensitive")?.isTruthy ?? false
            let attribute = arguments.value(isSort ? 2 : 1, "attribute")
            pairs = try items(value, at: position).map { item in
                (key: attribute.map { lookup($0, in: item) } ?? item, item: item)
            }
        }
        pairs = pairs.map { (key: Self.sortKey($0.key, caseSensitive: caseSensitive), item: $0.item) }
        var failure: TemplateProblem?
        let ordered = pairs.enumerated().sorted { a, b in
            do throws(TemplateProblem) {
                if try a.element.key.pythonLess(b.element.key, symbol: "<") { return !reverse }
                if try b.element.key.pythonLess(a.element.key, symbol: "<") { return reverse }
            } catch {
                failure = error
            }
            return a.offset < b.offset
        }.map(\.element.item)
        if let failure { throw failure }
        switch name {
        case "min": return ordered.first ?? .undefined
        case "max": return ordered.last ?? .undefined
        default: return .array(ordered)
        }
    }
}
