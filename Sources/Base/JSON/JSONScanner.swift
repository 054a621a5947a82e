/// A JSON value with the byte offset where it starts, so errors can point
/// at the place in the file.
public struct JSONNode: Sendable {
    public let offset: Int
    public let value: JSONValue
}

/// The JSON value kinds Smelt distinguishes. Integers are kept apart from
/// other numbers because file formats accept only unsigned integers where
/// offsets and sizes go (`0.0` is not an offset).
public enum JSONValue: Sendable {
    case object([(key: String, node: JSONNode)])
    case array([JSONNode])
    case string(String)
    /// A number written as plain digits that fits in 64 bits.
    case unsignedInteger(UInt64)
    /// Any other number, as written.
    case number(String)
    case bool(Bool)
    case null

    /// A short name for messages ("an object", "a string", ...).
    public var kindDescription: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .unsignedInteger: "an unsigned integer"
        case .number(let text): "the number \(text)"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// A syntax error at a byte offset.
public struct JSONSyntaxError: Error, Equatable, Sendable {
    public let offset: Int
    public let message: String
}

/// A small strict JSON reader (RFC 8259) for files we did not write: it
/// limits nesting depth, rejects duplicate keys (Foundation's readers keep
/// one silently), validates UTF-8 and reports byte positions.
public struct JSONScanner: ~Copyable {
    /// When two keys of one object are the same key.
    public enum KeyEquality: Sendable {
        /// As Swift strings compare: "é" and "e\u{301}" are one key, so a
        /// file whose names are only canonically equivalent is refused
        /// rather than conflated by every dictionary downstream.
        case canonical
        /// Same UTF-8 bytes, as JSON itself, Python and Rust compare keys:
        /// a tokenizer.json vocabulary may hold both spellings of "é".
        case exact
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private let maximumDepth: Int
    private let maximumArrayCount: Int
    private let keyEquality: KeyEquality

    /// Parses one JSON value filling `bytes`, allowing JSON white space
    /// around it (or only spaces after it when `trailingSpacesOnly`).
    /// Arrays longer than `maximumArrayCount` are refused, so a hostile
    /// file cannot turn a few bytes per element into a huge allocation.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maximumDepth: Int = 64, maximumArrayCount: Int = .max,
        trailingSpacesOnly: Bool = false, keyEquality: KeyEquality = .canonical
    ) throws(JSONSyntaxError) -> JSONNode {
        var scanner = JSONScanner(
            bytes: bytes, maximumDepth: maximumDepth, maximumArrayCount: maximumArrayCount, keyEquality: keyEquality)
        scanner.skipWhitespace()
        let node = try scanner.parseValue(depth: 0)
        while scanner.position < bytes.count {
            let byte = bytes[scanner.position]
            let allowed = trailingSpacesOnly ? byte == 0x20 : isWhitespace(byte)
            guard allowed else {
                throw JSONSyntaxError(offset: scanner.position, message: "unexpected data after the JSON value")
            }
            scanner.position += 1
        }
        return node
    }

    /// Parses a byte array (see `parse(_:maximumDepth:maximumArrayCount:trailingSpacesOnly:keyEquality:)`).
    public static func parse(
        _ bytes: [UInt8], maximumDepth: Int = 64, keyEquality: KeyEquality = .canonical
    ) throws(JSONSyntaxError) -> JSONNode {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONSyntaxError) in try parse(raw, maximumDepth: maximumDepth, keyEquality: keyEquality)
            }
        }
        return try result.get()
    }

    private init(bytes: UnsafeRawBufferPointer, maximumDepth: Int, maximumArrayCount: Int, keyEquality: KeyEquality) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.maximumArrayCount = maximumArrayCount
        self.keyEquality = keyEquality
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private mutating func skipWhitespace() {
        while position < bytes.count && Self.isWhitespace(bytes[position]) { position += 1 }
    }

    private func fail(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset ?? position, message: message)
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        guard depth <= maximumDepth else { throw fail("nesting deeper than \(maximumDepth) levels") }
        guard position < bytes.count else { throw fail("unexpected end of JSON") }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"): return JSONNode(offset: start, value: try parseObject(depth: depth))
        case UInt8(ascii: "["): return JSONNode(offset: start, value: try parseArray(depth: depth))
        case UInt8(ascii: "\""): return JSONNode(offset: start, value: .string(try parseString()))
        case UInt8(ascii: "t"): try expectLiteral("true"); return JSONNode(offset: start, value: .bool(true))
        case UInt8(ascii: "f"): try expectLiteral("false"); return JSONNode(offset: start, value: .bool(false))
        case UInt8(ascii: "n"): try expectLiteral("null"); return JSONNode(offset: start, value: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(offset: start, value: try parseNumber())
        default:
            throw fail("unexpected character '\(printable(bytes[position]))'")
        }
    }

    private func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end of JSON") }
        for index in 0..<count where bytes[position + index] != literal.utf8Start[index] {
            throw fail("invalid literal, expected \(literal)")
        }
        position += count
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1
        var members: [(key: String, node: JSONNode)] = []
        var seen = Set<String>()
        var seenExactly = ByteKeyTable()
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            let keyOffset = position
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw fail("expected a string key")
            }
            let key = try parseString()
            let isNew =
                switch keyEquality {
                case .canonical: seen.insert(key).inserted
                case .exact: seenExactly.insert(key, value: 0) == nil
                }
            guard isNew else { throw fail("duplicate key \"\(key)\"", at: keyOffset) }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw fail("expected ':' after a key")
            }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of JSON inside an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw fail("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            guard elements.count < maximumArrayCount else {
                throw fail("array longer than \(maximumArrayCount) elements")
            }
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of JSON inside an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
            throw fail("expected ',' or ']' in an array")
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        var isPlainInteger = true
        if bytes[position] == UInt8(ascii: "-") { isPlainInteger = false; position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count && isDigit(bytes[position]) {
                throw fail("leading zeros are not allowed", at: start)
            }
        } else {
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            isPlainInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("expected digits after '.'") }
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            isPlainInteger = false
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-"))
            {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("expected digits in the exponent")
            }
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isPlainInteger, let value = UInt64(text) { return .unsignedInteger(value) }
        return .number(text)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = position
        position += 1
        var scalars: [UInt8] = []
        while true {
            guard position < bytes.count else { throw fail("unterminated string", at: start) }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { position += 1; break }
            if byte < 0x20 { throw fail("control character in a string") }
            if byte != UInt8(ascii: "\\") { scalars.append(byte); position += 1; continue }
            position += 1
            guard position < bytes.count else { throw fail("unterminated escape") }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"): scalars.append(contentsOf: try parseUnicodeEscape())
            default: throw fail("invalid escape '\\\(printable(escape))'", at: position - 2)
            }
        }
        guard let text = String(validating: scalars, as: UTF8.self) else {
            throw fail("string is not valid UTF-8", at: start)
        }
        return text
    }

    /// Reads the XXXX of \uXXXX (and a following low surrogate) as UTF-8.
    private mutating func parseUnicodeEscape() throws(JSONSyntaxError) -> [UInt8] {
        var code = try parseHexQuad()
        if (0xD800..<0xDC00).contains(code) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else {
                throw fail("unpaired surrogate in \\u escape")
            }
            position += 2
            let low = try parseHexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(code) {
            throw fail("unpaired surrogate in \\u escape")
        }
        guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }  // unreachable after the checks above
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func parseHexQuad() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
