/// Writes JSON straight into bytes in the layout of serde_json's pretty
/// printer, the layout of every `tokenizer.json` the Hugging Face
/// `tokenizers` library saves: two-space indent, each object member and
/// each array element on its own line, `": "` after a key, `{}` and `[]`
/// for empty containers, no newline at the end. Strings are escaped as
/// serde_json (and Python's `json`) escape them: `\"`, `\\`, `\b`, `\f`,
/// `\n`, `\r`, `\t`, other control characters as `\u00xx`, everything else
/// as UTF-8. Large documents (a vocabulary of 262,144 tokens) are written
/// without building a tree of values first.
public struct PrettyJSONWriter: Sendable {
    /// The document so far.
    public private(set) var bytes: [UInt8] = []
    /// One entry per open container: whether it is an array, and whether
    /// anything was written in it yet.
    private var containers: [(isArray: Bool, isEmpty: Bool)] = []

    /// An empty document, with room for `byteCount` bytes.
    public init(reservingCapacity byteCount: Int = 0) {
        bytes.reserveCapacity(byteCount)
    }

    /// Opens an object, as a value (an array element, a member's value or the whole document).
    public mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        containers.append((isArray: false, isEmpty: true))
    }

    /// Opens an array, as a value.
    public mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        containers.append((isArray: true, isEmpty: true))
    }

    /// Closes the innermost open object.
    public mutating func endObject() { end(UInt8(ascii: "}")) }
    /// Closes the innermost open array.
    public mutating func endArray() { end(UInt8(ascii: "]")) }

    /// The key of the next member of the open object; its value follows.
    public mutating func key(_ key: String) {
        newElement()
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
    }

    /// A string value.
    public mutating func string(_ value: String) {
        beforeValue()
        appendQuoted(value)
    }

    /// An integer value.
    public mutating func integer(_ value: Int) {
        beforeValue()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `true` or `false`.
    public mutating func bool(_ value: Bool) {
        beforeValue()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// `null`.
    public mutating func null() {
        beforeValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// A string, or null when there is none.
    public mutating func string(orNull value: String?) {
        if let value { string(value) } else { null() }
    }

    /// A member whose value is a string.
    public mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    /// Any value the project's `JSONOutput` describes, in this layout.
    public mutating func value(_ value: JSONOutput) {
        switch value {
        case .object(let members):
            beginObject()
            for (name, member) in members {
                key(name)
                self.value(member)
            }
            endObject()
        case .array(let elements):
            beginArray()
            elements.forEach { self.value($0) }
            endArray()
        case .string(let text): string(text)
        case .integer(let number): raw(String(number))
        case .unsigned(let number): raw(String(number))
        case .double(let number): raw(number.isFinite ? "\(number)" : "null")
        case .number(let text): raw(text)
        case .bool(let flag): bool(flag)
        case .null: null()
        }
    }

    private mutating func raw(_ text: String) {
        beforeValue()
        bytes.append(contentsOf: text.utf8)
    }

    /// In an array a value starts a new line; in an object its key did.
    private mutating func beforeValue() {
        if let last = containers.last, last.isArray { newElement() }
    }

    private mutating func newElement() {
        guard let last = containers.indices.last else { return }
        if !containers[last].isEmpty { bytes.append(UInt8(ascii: ",")) }
        containers[last].isEmpty = false
        newLine(depth: containers.count)
    }

    private mutating func end(_ bracket: UInt8) {
        precondition(!containers.isEmpty, "end without begin")  // checked: Smelt's own calls pair up, not a file's
        let closed = containers.removeLast()
        if !closed.isEmpty { newLine(depth: containers.count) }
        bytes.append(bracket)
    }

    private mutating func newLine(depth: Int) {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
