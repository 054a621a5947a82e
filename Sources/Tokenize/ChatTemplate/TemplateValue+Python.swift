/// Python's `str()` and `repr()` of template values, which is what `{{ }}`
/// prints: `True`, `None`, `1.0`, `['a', 1]`, `{'k': 'v'}`.
extension TemplateValue {
    /// `str(value)`; `Undefined` prints as nothing.
    var displayText: String {
        switch self {
        case .undefined: ""
        case .string(let text), .markup(let text): text
        default: reprText
        }
    }

    /// `repr(value)`.
    var reprText: String {
        switch self {
        case .undefined: "Undefined"
        case .none: "None"
        case .bool(let value): value ? "True" : "False"
        case .integer(let value): String(value)
        case .double(let value): Self.reprText(value)
        case .string(let text): Self.reprText(text)
        case .markup(let text): "Markup(" + Self.reprText(text) + ")"
        case .array(let items): "[" + items.map(\.reprText).joined(separator: ", ") + "]"
        case .tuple(let items):
            "(" + items.map(\.reprText).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .object(let members):
            "{" + members.map { Self.reprText($0.key) + ": " + $0.value.reprText }.joined(separator: ", ") + "}"
        case .mapping(let members):
            "{" + members.map { $0.key.reprText + ": " + $0.value.reprText }.joined(separator: ", ") + "}"
        case .namespace: "<Namespace>"
        case .function: "<function>"
        case .iterator: "<generator object>"
        }
    }

    /// Python's `repr(str)`: single quotes unless the text holds a single
    /// quote and no double quote; backslash escapes for what is not printable.
    static func reprText(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if Character(scalar) == quote {
                    result += "\\" + String(quote)
                } else if isPrintable(scalar) {
                    result.unicodeScalars.append(scalar)
                } else {
                    result += escaped(scalar)
                }
            }
        }
        result.append(quote)
        return result
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default:
            return true
        }
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        if scalar.value < 0x100 { return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex }
        if scalar.value < 0x10000 { return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex }
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Python's `repr(float)`: the shortest digits that read back the same,
    /// positional for exponents -4 through 15, else `1e+16` style.
    static func reprText(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let (digits, exponent) = shortestDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        if exponent >= -4 && exponent < 16 {
            if exponent < 0 {
                return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
            }
            if digits.count <= exponent + 1 {
                return sign + digits + String(repeating: "0", count: exponent + 1 - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: exponent + 1)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let mantissa = digits.count == 1 ? digits : String(digits.prefix(1)) + "." + digits.dropFirst()
        let magnitude = String(abs(exponent))
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" : "") + magnitude
    }

    /// The shortest round-trip decimal digits of a positive finite value
    /// (no leading or trailing zeros) and the exponent of the first digit,
    /// taken from Swift's own shortest representation.
    private static func shortestDigits(_ value: Double) -> (digits: String, exponent: Int) {
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fractionPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fractionPart
        var pointExponent = integerPart.count - 1 + exponent
        while digits.first == "0" {
            digits.removeFirst()
            pointExponent -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits.isEmpty ? "0" : digits, pointExponent)
    }
}
