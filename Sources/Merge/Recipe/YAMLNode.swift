import Base
/// How a scalar was written. Only plain scalars are typed implicitly
/// (`0.5` is a number, `"0.5"` and a `|` block holding 0.5 are strings).
public enum YAMLScalarStyle: Sendable, Equatable {
    case plain
    /// Single- or double-quoted.
    case quoted
    /// Literal (`|`) or folded (`>`).
    case block
}

/// A YAML node with the position where it starts. A node reached through an
/// alias carries the alias's position; the nodes inside it keep the
/// positions of the anchored text.
public struct YAMLNode: Sendable {
    /// Where the node starts.
    public let mark: YAMLMark
    /// The node's content.
    public let value: YAMLValue
    /// What a scalar means once resolved like PyYAML's `safe_load`;
    /// `.string` for lists and mappings, so the typed accessors need not
    /// look at `value`.
    let scalarKind: YAMLScalarKind

    /// Makes a node, typing an untagged scalar the way PyYAML would.
    public init(mark: YAMLMark, value: YAMLValue) {
        var kind = YAMLScalarKind.string
        if case .scalar(let text, .plain) = value { kind = YAMLScalarResolver.resolvePlain(text) ?? .string }
        self.init(mark: mark, value: value, scalarKind: kind)
    }

    init(mark: YAMLMark, value: YAMLValue, scalarKind: YAMLScalarKind) {
        self.mark = mark
        self.value = value
        self.scalarKind = scalarKind
    }
}

/// The three kinds of YAML node.
public indirect enum YAMLValue: Sendable {
    /// A scalar's text, after YAML's escapes and folding, and how it was written.
    case scalar(String, style: YAMLScalarStyle)
    /// A list.
    case sequence([YAMLNode])
    /// A mapping, entries in document order.
    case mapping([YAMLMappingEntry])
}

/// One `key: value` pair of a mapping. Keys are scalars, kept as their text.
public struct YAMLMappingEntry: Sendable {
    /// The key's text.
    public let key: String
    /// Where the key starts.
    public let keyMark: YAMLMark
    /// The value.
    public let value: YAMLNode
}

/// A scalar's meaning under PyYAML's `safe_load` (YAML 1.1).
enum YAMLScalarKind: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string
}

extension YAMLNode {
    /// True for a null scalar: plain `~`, `null`, `Null`, `NULL`, an empty
    /// plain scalar (`key:` with nothing after it), or `!!null`.
    public var isNull: Bool { if case .null = scalarKind { true } else { false } }

    /// The value of a boolean scalar: plain `true`/`false`, `yes`/`no`,
    /// `on`/`off`, each lower-case, capitalised or upper-case; or `!!bool`.
    public var boolValue: Bool? { if case .bool(let flag) = scalarKind { flag } else { nil } }

    /// The value of a numeric scalar: whatever PyYAML reads as an int or a
    /// float, plus decimal exponent forms PyYAML leaves as strings but
    /// pydantic reads as floats (`1e-5`, `1.0e5`, `-.5`). Quoted and block
    /// scalars are never numbers unless tagged `!!int` or `!!float`.
    public var numberValue: Double? { if case .number(let number) = scalarKind { number } else { nil } }

    /// Any scalar's text, whatever its type; nil for lists and mappings.
    public var stringValue: String? { if case .scalar(let text, _) = value { text } else { nil } }

    /// The items of a list.
    public var sequence: [YAMLNode]? { if case .sequence(let items) = value { items } else { nil } }

    /// The entries of a mapping, in document order.
    public var mapping: [YAMLMappingEntry]? { if case .mapping(let entries) = value { entries } else { nil } }

    /// The value under `key` in a mapping (keys are unique after parsing).
    public func value(forKey key: String) -> YAMLNode? {
        mapping?.first { $0.key == key }?.value
    }

    /// What the node is, for messages: "a number", "a string", "a boolean",
    /// "null", "a list" or "a mapping".
    public func describeKind() -> String {
        switch (value, scalarKind) {
        case (.sequence, _): "a list"
        case (.mapping, _): "a mapping"
        case (_, .null): "null"
        case (_, .bool): "a boolean"
        case (_, .number): "a number"
        case (_, .string): "a string"
        }
    }
}

/// PyYAML's YAML 1.1 implicit resolver and scalar constructors
/// (`yaml/resolver.py`, `yaml/constructor.py` in PyYAML 6), which mergekit
/// reads recipes with. PyYAML 1.1 accepts `0b…` binary, `0x…` hex,
/// leading-zero octal (`010` is 8) and base-60 (`1:30` is 90) integers, so
/// these read as the same numbers here: a recipe must mean in Smelt what it
/// means in mergekit. YAML 1.2's `0o17` stays a string, as in PyYAML.
/// Timestamps stay strings (no recipe field takes a date).
enum YAMLScalarResolver {
    /// The meaning of an untagged plain scalar; nil when PyYAML would
    /// resolve it as an integer and then fail to build it (`0x_`).
    static func resolvePlain(_ text: String) -> YAMLScalarKind? {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
        default: break
        }
        let bytes = Array(text.utf8)
        if let number = pyYAMLFloat(bytes) { return .number(number) }
        switch pyYAMLInteger(bytes) {
        case .integer(let number): return .number(number)
        case .unreadable: return nil
        case .notInteger: break
        }
        // pydantic turns these strings into floats where a float is wanted.
        if let number = decimal(bytes, requireExponentOrSignedDot: true) { return .number(number) }
        return .string
    }

    /// The meaning of a scalar tagged `!!bool`, `!!int`, `!!float` or
    /// `!!null`; nil when the text does not fit the tag.
    static func resolveTagged(_ text: String, tag: String) -> YAMLScalarKind? {
        switch tag {
        case "null": return ["", "~", "null", "Null", "NULL"].contains(text) ? .null : nil
        case "bool":
            switch text.lowercased() {
            case "yes", "true", "on": return .bool(true)
            case "no", "false", "off": return .bool(false)
            default: return nil
            }
        case "int":
            if case .integer(let number) = pyYAMLInteger(Array(text.utf8)) { return .number(number) }
            return nil
        case "float": return pythonFloat(text).map { .number($0) }
        default: return nil
        }
    }

    enum IntegerMatch { case notInteger, integer(Double), unreadable }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isSign(_ byte: UInt8) -> Bool { byte == 0x2B || byte == 0x2D }
    private static func removingUnderscores(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.filter { $0 != 0x5F }, as: UTF8.self)
    }

    /// Splits an optional sign off; true when it was `-`.
    private static func sign(_ bytes: [UInt8]) -> (negative: Bool, body: ArraySlice<UInt8>) {
        guard let first = bytes.first, isSign(first) else { return (false, bytes[...]) }
        return (first == 0x2D, bytes.dropFirst())
    }

    /// `:[0-5]?[0-9]` parts after the first one of a base-60 number;
    /// returns where they end, or nil if there are none.
    private static func baseSixtyTail(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < bytes.endIndex && bytes[index] == 0x3A {
            guard index + 1 < bytes.endIndex, isDigit(bytes[index + 1]) else { return nil }
            index += 2
            if bytes[index - 1] <= 0x35, index < bytes.endIndex, isDigit(bytes[index]) { index += 1 }
        }
        return index == start ? nil : index
    }

    /// Sums base-60 parts, each read by `read`.
    private static func baseSixty(_ text: String, read: (Substring) -> Double?) -> Double? {
        var total = 0.0
        for part in text.split(separator: ":", omittingEmptySubsequences: false) {
            guard let value = read(part) else { return nil }
            total = total * 60 + value
        }
        return total
    }

    /// PyYAML's float resolver: `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?`,
    /// `\.[0-9][0-9_]*([eE][-+][0-9]+)?`, base 60 with a fraction, `.inf`, `.nan`.
    static func pyYAMLFloat(_ bytes: [UInt8]) -> Double? {
        let (negative, body) = sign(bytes)
        let signed = body.count != bytes.count
        let text = String(decoding: body, as: UTF8.self)
        if [".inf", ".Inf", ".INF"].contains(text) { return negative ? -.infinity : .infinity }
        if [".nan", ".NaN", ".NAN"].contains(text) { return signed ? nil : .nan }
        var index = body.startIndex
        func skipDigitsAndUnderscores() {
            while index < body.endIndex && (isDigit(body[index]) || body[index] == 0x5F) { index += 1 }
        }
        var isBaseSixty = false
        if index < body.endIndex && body[index] == 0x2E {
            guard !signed, index + 1 < body.endIndex, isDigit(body[index + 1]) else { return nil }
        } else {
            guard index < body.endIndex, isDigit(body[index]) else { return nil }
            skipDigitsAndUnderscores()
            if let end = baseSixtyTail(body, from: index) { index = end; isBaseSixty = true }
            guard index < body.endIndex, body[index] == 0x2E else { return nil }
        }
        index += 1
        skipDigitsAndUnderscores()
        if !isBaseSixty, index < body.endIndex, body[index] == 0x65 || body[index] == 0x45 {
            guard index + 2 < body.endIndex, isSign(body[index + 1]) else { return nil }
            index += 2
            while index < body.endIndex && isDigit(body[index]) { index += 1 }
        }
        guard index == body.endIndex else { return nil }
        let digits = removingUnderscores(body)
        let magnitude = isBaseSixty ? baseSixty(digits) { Double($0) } : Double(digits)
        return magnitude.map { negative ? -$0 : $0 }
    }

    /// PyYAML's int resolver: `[-+]?0b[0-1_]+`, `[-+]?0[0-7_]+`,
    /// `[-+]?(0|[1-9][0-9_]*)`, `[-+]?0x[0-9a-fA-F_]+`, base 60.
    static func pyYAMLInteger(_ bytes: [UInt8]) -> IntegerMatch {
        let (negative, body) = sign(bytes)
        guard let first = body.first, isDigit(first) else { return .notInteger }
        let rest = body.dropFirst()
        var radix = 10
        var digits = body
        if first == 0x30, rest.first == 0x62 || rest.first == 0x78 {
            radix = rest.first == 0x62 ? 2 : 16
            digits = rest.dropFirst()
            guard !digits.isEmpty else { return .notInteger }
        } else if first == 0x30, !rest.isEmpty {
            radix = 8
            digits = rest
        } else if first != 0x30, let colon = rest.firstIndex(of: 0x3A) {
            guard rest[..<colon].allSatisfy({ isDigit($0) || $0 == 0x5F }),
                baseSixtyTail(body, from: colon) == body.endIndex
            else { return .notInteger }
            let value = baseSixty(removingUnderscores(body)) { Double($0) }
            return value.map { .integer(negative ? -$0 : $0) } ?? .unreadable
        }
        var value = 0.0
        var digitCount = 0
        for byte in digits where byte != 0x5F {
            let digit: Int
            switch byte {
            case 0x30...0x39: digit = Int(byte - 0x30)
            case 0x61...0x66: digit = Int(byte - 0x61 + 10)
            case 0x41...0x46: digit = Int(byte - 0x41 + 10)
            default: return .notInteger
            }
            guard digit < radix else { return .notInteger }
            // Doubles: exact to 2^53, which covers every count in a recipe.
            value = value * Double(radix) + Double(digit)
            digitCount += 1
        }
        // `0x_` matches PyYAML's resolver, then Python's int() fails on it.
        guard digitCount > 0 || radix == 8 else { return .unreadable }
        // Python has no negative integer zero.
        return .integer(negative && value != 0 ? -value : value)
    }

    /// A decimal `[-+]?(D+(\.D*)?|\.D+)([eE][-+]?D+)?` without underscores,
    /// as Python's `float()` reads it.
    static func decimal(_ bytes: [UInt8], requireExponentOrSignedDot: Bool) -> Double? {
        let (_, body) = sign(bytes)
        var index = body.startIndex
        var mantissaDigits = 0
        while index < body.endIndex && isDigit(body[index]) { index += 1; mantissaDigits += 1 }
        let leadingDot = mantissaDigits == 0
        if index < body.endIndex && body[index] == 0x2E {
            index += 1
            while index < body.endIndex && isDigit(body[index]) { index += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return nil }
        var hasExponent = false
        if index < body.endIndex, body[index] == 0x65 || body[index] == 0x45 {
            index += 1
            if index < body.endIndex && isSign(body[index]) { index += 1 }
            let exponentStart = index
            while index < body.endIndex && isDigit(body[index]) { index += 1 }
            guard index > exponentStart else { return nil }
            hasExponent = true
        }
        guard index == body.endIndex else { return nil }
        if requireExponentOrSignedDot && !hasExponent && !(leadingDot && body.count != bytes.count) { return nil }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// PyYAML's `!!float` constructor: underscores dropped, `.inf`, `.nan`,
    /// base 60, otherwise Python's `float()`.
    private static func pythonFloat(_ text: String) -> Double? {
        let cleaned = Array(removingUnderscores(Array(text.utf8)[...]).lowercased().utf8)
        let (negative, body) = sign(cleaned)
        let rest = String(decoding: body, as: UTF8.self)
        let magnitude: Double?
        switch rest {
        case ".inf", "inf", "infinity": magnitude = .infinity
        case ".nan", "nan": magnitude = .nan
        default:
            magnitude =
                rest.contains(":")
                ? baseSixty(rest) { decimal(Array($0.utf8), requireExponentOrSignedDot: false) }
                : decimal(Array(body), requireExponentOrSignedDot: false)
        }
        return magnitude.map { negative ? -$0 : $0 }
    }
}
