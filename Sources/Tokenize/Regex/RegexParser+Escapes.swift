extension RegexParser {
    /// What an escape stands for: one scalar (usable as a class-range bound) or a set such as `\d`.
    enum Escaped {
        case scalar(UInt32)
        case set(ScalarSet)
    }

    /// An escape outside a class: a scalar, a shorthand class or an assertion.
    mutating func parseEscape() throws(TokenPatternError) -> RegexNode {
        let start = position
        let assertions: [Unicode.Scalar: RegexAssertion] = [
            "A": .textStart, "z": .textEnd, "Z": .textEndBeforeNewline, "b": .wordBoundary, "B": .notWordBoundary,
        ]
        if let next = peek(1), let assertion = assertions[next] {
            position += 2
            return .assertion(assertion)
        }
        switch try parseEscapedItem(inClass: false) {
        case .scalar(let value): return .set(try literal(value, at: start))
        case .set(let set): return .set(set)  // outside a class, Oniguruma folds neither `\w` nor `\p{Ll}`
        }
    }

    /// The escape at `position` (a backslash), inside or outside a class.
    mutating func parseEscapedItem(inClass: Bool) throws(TokenPatternError) -> Escaped {
        let start = position
        guard let letter = peek(1) else { throw error("pattern ends in an unfinished escape \\") }
        position += 2
        let simple: [Unicode.Scalar: UInt32] = ["t": 9, "n": 10, "v": 11, "f": 12, "r": 13, "a": 7, "e": 0x1B]
        if let value = simple[letter] { return .scalar(value) }
        switch letter {
        case "x":
            if peek == "{" { return .scalar(try parseBracedHex(escapeStart: start)) }
            return .scalar(try parseHex(minDigits: 1, maxDigits: 2, escapeStart: start))
        case "u": return .scalar(try parseHex(minDigits: 4, maxDigits: 4, escapeStart: start))
        case "d", "D": return .set(Self.shorthand(isNegated: letter == "D") { $0 & ScalarClass.categoryMask == 8 })
        case "s", "S":
            return .set(Self.shorthand(isNegated: letter == "S") { $0 & ScalarClass.whitespaceBit != 0 })
        case "w", "W":
            guard !inClass else {
                return .set(Self.shorthand(isNegated: letter == "W") { $0 & ScalarClass.wordBit != 0 })
            }
            // Outside a class Oniguruma also counts `² ³ ¹ ¼ ½ ¾` as word characters.
            var word = Self.shorthand(isNegated: false) { $0 & ScalarClass.wordBit != 0 }
            word.ranges = ScalarClass.latinWordNumbers
            word.isNegated = letter == "W"
            return .set(word)
        case "p", "P": return .set(try parseProperty(isNegated: letter == "P", escapeStart: start))
        case "0"..."9": throw error("backreference or octal escape \\\(letter) is not supported", at: start)
        case "k", "g": throw error("backreference or subexpression call \\\(letter) is not supported", at: start)
        case "b" where inClass: throw error("escape \\b inside a class is not supported", at: start)
        default:
            if letter.isASCII && (letter.properties.isAlphabetic || letter == "_") {
                throw error("escape \\\(letter) is not supported", at: start)
            }
            return .scalar(letter.value)
        }
    }

    /// `\d \s \w` and their negations, as property sets (so they can be combined in a class).
    static func shorthand(isNegated: Bool, _ predicate: (UInt8) -> Bool) -> ScalarSet {
        ScalarSet(properties: { predicate($0) != isNegated })
    }

    mutating func parseHex(minDigits: Int, maxDigits: Int, escapeStart: Int) throws(TokenPatternError) -> UInt32 {
        var value: UInt32 = 0
        var count = 0
        while count < maxDigits, let scalar = peek, scalar.isASCII, let digit = UInt32(String(scalar), radix: 16) {
            value = value << 4 | digit
            count += 1
            position += 1
        }
        guard count >= minDigits else { throw error("escape needs \(minDigits) hexadecimal digits", at: escapeStart) }
        return try checkedScalar(value, escapeStart: escapeStart)
    }

    mutating func parseBracedHex(escapeStart: Int) throws(TokenPatternError) -> UInt32 {
        position += 1
        let value = try parseHex(minDigits: 1, maxDigits: 8, escapeStart: escapeStart)
        guard peek == "}" else { throw error("\\x{ needs hexadecimal digits and a closing }", at: escapeStart) }
        position += 1
        return value
    }

    func checkedScalar(_ value: UInt32, escapeStart: Int) throws(TokenPatternError) -> UInt32 {
        guard Unicode.Scalar(value) != nil else {
            throw error("escape names no Unicode scalar (a surrogate or above 10FFFF)", at: escapeStart)
        }
        return value
    }

    /// `\p{Name}`, `\p{^Name}` and `\P{Name}` for the general categories and their groups.
    mutating func parseProperty(isNegated: Bool, escapeStart: Int) throws(TokenPatternError) -> ScalarSet {
        guard peek == "{" else { throw error("\\p needs a {name}", at: escapeStart) }
        position += 1
        var negated = isNegated
        if peek == "^" {
            negated.toggle()
            position += 1
        }
        var name = ""
        while let scalar = peek, scalar != "}" {
            name.unicodeScalars.append(scalar)
            position += 1
        }
        guard peek == "}" else { throw error("\\p{ is missing its }", at: escapeStart) }
        position += 1
        guard let categories = ScalarCategory.named(name) else {
            throw error("property \\p{\(name)} is not supported (general categories only)", at: escapeStart)
        }
        let raw = Set(categories.map(\.rawValue))
        return Self.shorthand(isNegated: negated) { raw.contains($0 & ScalarClass.categoryMask) }
    }
}
