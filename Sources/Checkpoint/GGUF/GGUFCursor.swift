/// Reads a GGUF header front to back from the bytes of the whole file.
/// Every read is checked against the end of the file and the header limit
/// before it happens, so a short or hostile file stops with an error at the
/// byte where it goes wrong, and nothing is allocated that the file's own
/// bytes do not back.
struct GGUFCursor {
    let file: String
    let bytes: UnsafeRawBufferPointer
    /// Reads stop here: the end of the file or the header limit, the nearer.
    let limit: Int
    private(set) var offset = 0

    init(file: String, bytes: UnsafeRawBufferPointer, headerLimit: Int) {
        self.file = file
        self.bytes = bytes
        limit = min(bytes.count, headerLimit)
    }

    /// Bytes between the cursor and the end of the file.
    var available: Int { bytes.count - offset }

    func error(_ problem: GGUFError.Problem, at position: Int) -> GGUFError {
        GGUFError(file: file, offset: UInt64(position), problem: problem)
    }

    /// Moves past `count` bytes and returns where they start.
    mutating func skip(_ count: Int, what: @autoclosure () -> String) throws(GGUFError) -> Int {
        guard count <= available else {
            throw error(.truncated(what: what(), needed: UInt64(count), available: UInt64(available)), at: offset)
        }
        guard count <= limit - offset else { throw error(.headerTooLarge(limit: UInt64(limit)), at: offset) }
        defer { offset += count }
        return offset
    }

    /// The little-endian integer at `position` (already inside the file).
    func load<T: FixedWidthInteger>(at position: Int, as type: T.Type) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    mutating func integer<T: FixedWidthInteger>(_ type: T.Type, what: @autoclosure () -> String) throws(GGUFError) -> T
    {
        load(at: try skip(MemoryLayout<T>.size, what: what()), as: T.self)
    }

    /// A GGUF string: a u64 length, then that many bytes of UTF-8.
    mutating func string(what: @autoclosure () -> String, maximumLength: Int? = nil) throws(GGUFError) -> String {
        let lengthOffset = offset
        let length = try integer(UInt64.self, what: "the length of " + what())
        if let maximumLength, length > UInt64(maximumLength) {
            throw error(.tooLong(what: what(), length: length, limit: maximumLength), at: lengthOffset)
        }
        guard length <= UInt64(available) else {
            throw error(.lengthBeyondFile(what: what(), length: length, available: UInt64(available)), at: lengthOffset)
        }
        let start = try skip(Int(length), what: what())  // checked: length <= available, which is an Int
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
        guard let string = String(validating: text, as: UTF8.self) else {
            throw error(.invalidUTF8(what: what()), at: start)
        }
        return string
    }

    /// Reads a count of items taking at least `minimumByteCount` bytes
    /// each, refused when the rest of the file (or of the header limit)
    /// cannot hold that many.
    mutating func count(what: @autoclosure () -> String, minimumByteCount: Int) throws(GGUFError) -> Int {
        let countOffset = offset
        let count = try integer(UInt64.self, what: what())
        guard count <= UInt64(available / minimumByteCount) else {
            throw error(
                .countBeyondFile(
                    what: what(), count: count, minimumByteCount: minimumByteCount, available: UInt64(available)),
                at: countOffset)
        }
        // What a count allows to allocate stays within the header limit too.
        guard count <= UInt64((limit - offset) / minimumByteCount) else {
            throw error(.headerTooLarge(limit: UInt64(limit)), at: countOffset)
        }
        return Int(count)  // checked: at most the file's size
    }
}
