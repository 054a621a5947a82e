/// A JSON value Smelt writes: headers, indexes, manifests and `--json`
/// results. Keys keep the order they are given in, so every file Smelt
/// writes is byte-for-byte deterministic.
public indirect enum JSONOutput: Sendable, Equatable {
    case object([(String, JSONOutput)])
    case array([JSONOutput])
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    case double(Double)
    /// A number kept exactly as another file wrote it.
    case number(String)
    case bool(Bool)
    case null

    public static func == (lhs: JSONOutput, rhs: JSONOutput) -> Bool { lhs.rendered() == rhs.rendered() }

    /// Compact JSON (`pretty: false`) or two-space indented JSON.
    public func rendered(pretty: Bool = false) -> String {
        var text = ""
        render(into: &text, pretty: pretty, indent: 0)
        return text
    }

    private func render(into text: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .object(let members):
            if members.isEmpty { text += "{}"; return }
            text += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { text += "," }
                if pretty { text += "\n" + String(repeating: " ", count: indent + 2) }
                text += Self.quoted(key)
                text += pretty ? ": " : ":"
                value.render(into: &text, pretty: pretty, indent: indent + 2)
            }
            if pretty { text += "\n" + String(repeating: " ", count: indent) }
            text += "}"
        case .array(let elements):
            if elements.isEmpty { text += "[]"; return }
            let isFlat = elements.allSatisfy {
                if case .object = $0 { false } else if case .array = $0 { false } else { true }
            }
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += pretty && isFlat ? ", " : "," }
                if pretty && !isFlat { text += "\n" + String(repeating: " ", count: indent + 2) }
                element.render(into: &text, pretty: pretty, indent: indent + 2)
            }
            if pretty && !isFlat { text += "\n" + String(repeating: " ", count: indent) }
            text += "]"
        case .string(let value): text += Self.quoted(value)
        case .integer(let value): text += String(value)
        case .unsigned(let value): text += String(value)
        case .double(let value): text += value.isFinite ? "\(value)" : "null"
        case .number(let value): text += value
        case .bool(let value): text += value ? "true" : "false"
        case .null: text += "null"
        }
    }

    /// `value` as a JSON string literal.
    public static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
