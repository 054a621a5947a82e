import Base
import Merge

/// Scalars written into a generated recipe so that Smelt and mergekit
/// (PyYAML) read back exactly what was meant.
enum RecipeText {
    /// Swift's shortest text that reads back as the same Double (`0.1`,
    /// `1e-05`); the caller has checked the value is finite.
    static func number(_ value: Double) -> String { "\(value)" }

    /// A plain scalar when it is unambiguous (a path of letters, digits and
    /// `/_.-` that YAML reads as a string), else a double-quoted one.
    static func string(_ text: String) -> String {
        let isPlainSafe =
            !text.isEmpty && !text.hasPrefix("-") && !text.hasPrefix(".")
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2F || byte == 0x5F || byte == 0x2E || byte == 0x2D
            }
        if isPlainSafe {
            let node = YAMLNode(mark: YAMLMark(line: 1, column: 1), value: .scalar(text, style: .plain))
            if node.numberValue == nil, node.boolValue == nil, !node.isNull { return text }
        }
        return quoted(text)
    }

    /// A YAML double-quoted scalar; line breaks YAML knows and control
    /// characters are escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\u{85}": result += "\\N"
            case "\u{2028}": result += "\\L"
            case "\u{2029}": result += "\\P"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.value < 0xA0) {
                    let digits = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\x" + String(repeating: "0", count: 2 - digits.count) + digits
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
