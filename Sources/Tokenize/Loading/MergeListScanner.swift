/// Reads BPE's `merges` straight from the bytes of tokenizer.json: half a
/// million pairs in Gemma's file, which as generic JSON values cost a
/// million strings only to be looked up once. Each merge (`"a b"` or
/// `["a", "b"]`) is decoded into reused buffers and handed over as bytes.
struct MergeListScanner {
    /// The value's place in the file, found without parsing the rest: the
    /// byte range of `model.merges` when the file has the usual layout, or
    /// nil (the generic reader then handles it).
    static func locateMerges(in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        var skimmer = JSONSkimmer(bytes: bytes)
        guard let model = skimmer.member("model", inObjectAt: 0),
            let merges = skimmer.member("merges", inObjectAt: model.lowerBound)
        else { return nil }
        return merges
    }

    let bytes: UnsafeRawBufferPointer
    let range: Range<Int>
    let file: String
    private var position: Int

    init(bytes: UnsafeRawBufferPointer, range: Range<Int>, file: String) {
        self.bytes = bytes
        self.range = range
        self.file = file
        position = range.lowerBound
    }

    private func fail(_ problem: String) -> TokenizerError {
        TokenizerError(file: file, place: "model.merges", problem: problem + " (byte \(position))")
    }

    /// Calls `body(rank, left, right)` for every merge in order.
    mutating func forEach(
        _ body: (Int, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(TokenizerError) -> Void
    ) throws(TokenizerError) {
        skipWhitespace()
        guard take(UInt8(ascii: "[")) else { throw fail("expected an array of merges") }
        var rank = 0
        var left: [UInt8] = []
        var right: [UInt8] = []
        skipWhitespace()
        if take(UInt8(ascii: "]")) { return }
        while true {
            skipWhitespace()
            if take(UInt8(ascii: "\"")) {
                try decodeString(into: &left)
                guard let space = left.firstIndex(of: 0x20), !left[(space + 1)...].contains(0x20) else {
                    throw fail("merge \(rank) \(quoted(String(decoding: left, as: UTF8.self))) is not two tokens")
                }
                right = Array(left[(space + 1)...])
                left.removeSubrange(space...)
            } else if take(UInt8(ascii: "[")) {
                skipWhitespace()
                guard take(UInt8(ascii: "\"")) else { throw fail("merge \(rank) is not a pair of strings") }
                try decodeString(into: &left)
                skipWhitespace()
                guard take(UInt8(ascii: ",")) else { throw fail("merge \(rank) is not a pair of strings") }
                skipWhitespace()
                guard take(UInt8(ascii: "\"")) else { throw fail("merge \(rank) is not a pair of strings") }
                try decodeString(into: &right)
                skipWhitespace()
                guard take(UInt8(ascii: "]")) else { throw fail("merge \(rank) is not a pair of strings") }
            } else {
                throw fail("merge \(rank) is not a string or a pair")
            }
            let result = left.withUnsafeBytes { leftBytes in
                right.withUnsafeBytes { rightBytes in
                    Result { () throws(TokenizerError) in try body(rank, leftBytes, rightBytes) }
                }
            }
            try result.get()
            rank += 1
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            if take(UInt8(ascii: "]")) { return }
            throw fail("expected ',' or ']' in the merges")
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < range.upperBound, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipWhitespace() {
        while position < range.upperBound, JSONBytes.isWhitespace(bytes[position]) { position += 1 }
    }

    /// A JSON string's bytes after its opening quote, escapes decoded.
    private mutating func decodeString(into output: inout [UInt8]) throws(TokenizerError) {
        output.removeAll(keepingCapacity: true)
        while position < range.upperBound {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { return }
            if byte < 0x20 { throw fail("a control character inside a string") }
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                continue
            }
            guard position < range.upperBound else { break }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var value = try hexQuad()
                if (0xD800..<0xDC00).contains(value) {
                    guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else {
                        throw fail("a lone surrogate escape")
                    }
                    let low = try hexQuad()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate escape") }
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(value) else { throw fail("a lone surrogate escape") }
                output.append(contentsOf: String(Character(scalar)).utf8)
            default:
                throw fail("an unknown escape \\\(Character(Unicode.Scalar(escape)))")
            }
        }
        throw fail("a string runs past the merges")
    }

    private mutating func hexQuad() throws(TokenizerError) -> UInt32 {
        guard position + 4 <= range.upperBound else { throw fail("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            position += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("a bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

/// Finds members of JSON objects by skipping values without building them.
/// Any surprise (bad syntax, escaped keys) just means "not found".
struct JSONSkimmer {
    let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The byte range of the value of `key` in the object starting at
    /// `start` (leading white space allowed).
    mutating func member(_ key: String, inObjectAt start: Int) -> Range<Int>? {
        position = start
        skipWhitespace()
        guard next(UInt8(ascii: "{")) else { return nil }
        let wanted = Array(key.utf8)
        while true {
            skipWhitespace()
            guard next(UInt8(ascii: "\"")) else { return nil }
            let keyStart = position
            guard skipStringBody() else { return nil }
            let keyBytes = bytes[keyStart..<position - 1]
            skipWhitespace()
            guard next(UInt8(ascii: ":")) else { return nil }
            skipWhitespace()
            let valueStart = position
            guard skipValue(depth: 0) else { return nil }
            if keyBytes.elementsEqual(wanted) { return valueStart..<position }
            skipWhitespace()
            if next(UInt8(ascii: ",")) { continue }
            return nil
        }
    }

    private mutating func next(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, JSONBytes.isWhitespace(bytes[position]) { position += 1 }
    }

    /// Skips to just past the closing quote.
    private mutating func skipStringBody() -> Bool {
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\\") {
                position += 1
            } else if byte == UInt8(ascii: "\"") {
                return true
            }
        }
        return false
    }

    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < 64, position < bytes.count else { return false }
        let byte = bytes[position]
        if byte == UInt8(ascii: "\"") {
            position += 1
            return skipStringBody()
        }
        if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            position += 1
            while true {
                skipWhitespace()
                guard position < bytes.count else { return false }
                if bytes[position] == close {
                    position += 1
                    return true
                }
                if byte == UInt8(ascii: "{") {
                    guard next(UInt8(ascii: "\"")), skipStringBody() else { return false }
                    skipWhitespace()
                    guard next(UInt8(ascii: ":")) else { return false }
                    skipWhitespace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                if next(UInt8(ascii: ",")) { continue }
                guard next(close) else { return false }
                return true
            }
        }
        while position < bytes.count, !JSONBytes.endsLiteral(bytes[position]) { position += 1 }
        return true
    }
}

/// Byte classes of JSON's grammar.
enum JSONBytes {
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// What ends a number or a literal.
    static func endsLiteral(_ byte: UInt8) -> Bool {
        isWhitespace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
    }
}
