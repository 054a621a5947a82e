/// Numbers, strings and operators inside `{{ }}` and `{% %}`.
extension TemplateLexer {
    private static let twoCharacterOperators: Set<String> = ["//", "**", "==", "!=", ">=", "<="]
    private static let oneCharacterOperators: Set<Unicode.Scalar> = [
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ]

    private func isDigit(_ offset: Int) -> Bool {
        offset < text.count && ("0"..."9").contains(text[offset])
    }

    /// Digits with single underscores between them, as jinja2's `integer_re` and `float_re`.
    private mutating func skipDigits() {
        while isDigit(index)
            || (index < text.count && text[index] == "_" && isDigit(index + 1) && index > 0 && isDigit(index - 1))
        {
            index += 1
        }
    }

    mutating func lexNumber() throws(TemplateFailure) {
        let start = index
        skipDigits()
        var isFloat = false
        // A fraction needs digits after the point; `1.` is the integer 1 then `.`.
        let followsDot = start > 0 && text[start - 1] == "."
        if !followsDot, index + 1 < text.count, text[index] == ".", isDigit(index + 1) {
            index += 1
            skipDigits()
            isFloat = true
        }
        if !followsDot, index < text.count, text[index] == "e" || text[index] == "E" {
            var cursor = index + 1
            if cursor < text.count && (text[cursor] == "+" || text[cursor] == "-") { cursor += 1 }
            if isDigit(cursor) {
                index = cursor
                skipDigits()
                isFloat = true
            }
        }
        var literal = ""
        literal.unicodeScalars.append(contentsOf: text[start..<index].filter { $0 != "_" })
        if isFloat {
            tokens.append(TemplateToken(kind: .float(Double(literal) ?? .infinity), position: position(start)))
        } else if let value = Int(literal) {
            tokens.append(TemplateToken(kind: .integer(value), position: position(start)))
        } else {
            throw fail("integer \(literal) is too large", at: start)
        }
    }

    /// A quoted string, its escapes decoded as Python's `unicode-escape` does
    /// (jinja2 decodes them so); unknown escapes keep their backslash.
    mutating func lexString() throws(TemplateFailure) {
        let start = index
        let quote = text[index]
        index += 1
        var value = ""
        while true {
            guard index < text.count else { throw fail("string is never closed", at: start) }
            let scalar = text[index]
            index += 1
            if scalar == quote { break }
            guard scalar == "\\" else {
                value.unicodeScalars.append(scalar)
                continue
            }
            guard index < text.count else { throw fail("string is never closed", at: start) }
            let escape = text[index]
            index += 1
            switch escape {
            case "n": value += "\n"
            case "t": value += "\t"
            case "r": value += "\r"
            case "\\": value += "\\"
            case "'": value += "'"
            case "\"": value += "\""
            case "a": value += "\u{07}"
            case "b": value += "\u{08}"
            case "f": value += "\u{0C}"
            case "v": value += "\u{0B}"
            case "\n": break
            case "x", "u", "U":
                let width = escape == "x" ? 2 : escape == "u" ? 4 : 8
                guard index + width <= text.count,
                    let code = UInt32(String(String.UnicodeScalarView(text[index..<index + width])), radix: 16),
                    let decoded = Unicode.Scalar(code)
                else { throw fail("invalid \\\(escape) escape in string", at: index - 2) }
                value.unicodeScalars.append(decoded)
                index += width
            case "0"..."7":
                var code = escape.value - 0x30
                var digits = 1
                while digits < 3, index < text.count, ("0"..."7").contains(text[index]) {
                    code = code * 8 + text[index].value - 0x30
                    index += 1
                    digits += 1
                }
                value.unicodeScalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default:
                value += "\\"
                value.unicodeScalars.append(escape)
            }
        }
        tokens.append(TemplateToken(kind: .string(value), position: position(start)))
    }

    mutating func lexOperator(brackets: inout [Unicode.Scalar]) throws(TemplateFailure) {
        let start = index
        if index + 1 < text.count {
            let pair = String(String.UnicodeScalarView([text[index], text[index + 1]]))
            if Self.twoCharacterOperators.contains(pair) {
                index += 2
                tokens.append(TemplateToken(kind: .operator_(pair), position: position(start)))
                return
            }
        }
        let scalar = text[index]
        guard Self.oneCharacterOperators.contains(scalar) else {
            throw fail("unexpected character '\(scalar)'", at: start)
        }
        switch scalar {
        case "(": brackets.append(")")
        case "[": brackets.append("]")
        case "{": brackets.append("}")
        case ")", "]", "}":
            guard let expected = brackets.popLast() else { throw fail("unexpected '\(scalar)'", at: start) }
            guard expected == scalar else { throw fail("unexpected '\(scalar)', expected '\(expected)'", at: start) }
        default: break
        }
        index += 1
        tokens.append(TemplateToken(kind: .operator_(String(scalar)), position: position(start)))
    }
}
