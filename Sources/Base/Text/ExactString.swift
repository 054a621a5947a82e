/// A string compared and hashed by its UTF-8 bytes, as JSON, Python and
/// Rust compare strings. Swift's `String` compares by canonical
/// equivalence, which makes "é" (U+00E9) and "e\u{301}" one key; a
/// tokenizer vocabulary holds both as different tokens, and a JSON object
/// may have both as different members.
public struct ExactString: Hashable, Sendable {
    /// The string itself.
    public let text: String

    /// `text`, to be compared by its bytes.
    public init(_ text: String) { self.text = text }

    /// Whether both hold the same UTF-8 bytes.
    public static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.text.utf8.count == rhs.text.utf8.count && lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    /// Hashes the UTF-8 bytes, so that equal bytes hash alike.
    public func hash(into hasher: inout Hasher) {
        let isHashed: Void? = text.utf8.withContiguousStorageIfAvailable {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
        }
        if isHashed == nil {
            Array(text.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}
