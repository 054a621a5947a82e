/// transformers' `tojson` filter: Python's `json.dumps(value,
/// ensure_ascii=False, indent=..., separators=..., sort_keys=...)`.
struct JSONDumpOptions {
    /// Spaces (or the text) to indent each level by; nil for one line.
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys = false
    /// Escape every character outside printable ASCII as `\uXXXX` (surrogate pairs above U+FFFF).
    var ensureASCII = false

    init(
        indent: String?, separators: (item: String, key: String)? = nil, sortKeys: Bool = false,
        ensureASCII: Bool = false
    ) {
        self.indent = indent
        self.ensureASCII = ensureASCII
        // Python's defaults: ", " on one line, "," when indenting (no trailing spaces).
        self.itemSeparator = separators?.item ?? (indent == nil ? ", " : ",")
        self.keySeparator = separators?.key ?? ": "
        self.sortKeys = sortKeys
    }
}

/// A problem with no place yet: the renderer adds the position of the
/// expression that caused it.
struct TemplateProblem: Error {
    let message: String
}

extension TemplateValue {
    /// `json.dumps(self, ...)`; Undefined, namespaces and functions are
    /// refused as Python refuses them.
    func jsonDump(_ options: JSONDumpOptions) throws(TemplateProblem) -> String {
        var output = ""
        try writeJSON(into: &output, options: options, depth: 0)
        return output
    }

    private func writeJSON(into output: inout String, options: JSONDumpOptions, depth: Int) throws(TemplateProblem) {
        switch self {
        case .none: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .double(let value):
            if value.isNaN {
                output += "NaN"
            } else if value.isInfinite {
                output += value < 0 ? "-Infinity" : "Infinity"
            } else {
                output += Self.reprText(value)
            }
        case .string(let text), .markup(let text):
            Self.writeJSONString(text, into: &output, ensureASCII: options.ensureASCII)
        case .array(let items), .tuple(let items):
            if items.isEmpty {
                output += "[]"
                return
            }
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += options.itemSeparator }
                Self.newline(into: &output, options: options, depth: depth + 1)
                try item.writeJSON(into: &output, options: options, depth: depth + 1)
            }
            Self.newline(into: &output, options: options, depth: depth)
            output += "]"
        case .object(let members):
            if members.isEmpty {
                output += "{}"
                return
            }
            let ordered =
                options.sortKeys
                ? members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) } : members
            output += "{"
            for (index, member) in ordered.enumerated() {
                if index > 0 { output += options.itemSeparator }
                Self.newline(into: &output, options: options, depth: depth + 1)
                Self.writeJSONString(member.key, into: &output, ensureASCII: options.ensureASCII)
                output += options.keySeparator
                try member.value.writeJSON(into: &output, options: options, depth: depth + 1)
            }
            Self.newline(into: &output, options: options, depth: depth)
            output += "}"
        case .mapping(let members):
            // json.dumps writes int, float, bool and None keys as strings.
            var converted: [(key: String, value: TemplateValue)] = []
            for member in members {
                switch member.key {
                case .string(let key): converted.append((key: key, value: member.value))
                case .integer, .double, .bool, .none:
                    let key = try member.key.jsonDump(JSONDumpOptions(indent: nil))
                    converted.append((key: key, value: member.value))
                default:
                    throw TemplateProblem(
                        message: "keys must be str, int, float, bool or None, not \(member.key.typeName)")
                }
            }
            try TemplateValue.object(converted).writeJSON(into: &output, options: options, depth: depth)
        case .undefined, .namespace, .function, .iterator:
            throw TemplateProblem(message: "Object of type \(typeName) is not JSON serializable")
        }
    }

    private static func newline(into output: inout String, options: JSONDumpOptions, depth: Int) {
        guard let indent = options.indent else { return }
        output += "\n" + String(repeating: indent, count: depth)
    }

    /// A JSON string as Python writes it with ensure_ascii=False: only
    /// quotes, backslashes and control characters are escaped.
    static func writeJSONString(_ text: String, into output: inout String, ensureASCII: Bool) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let offset = scalar.value - 0x10000
                        output += unicodeEscape(0xD800 + (offset >> 10)) + unicodeEscape(0xDC00 + (offset & 0x3FF))
                    } else {
                        output += unicodeEscape(scalar.value)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
