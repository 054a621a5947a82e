import Base

/// A value of `tokenizer.json` with its path (`pre_tokenizer.pretokenizers[1]`),
/// so every refusal names the place. Accessors throw `TokenizerError`.
struct JSONField {
    let file: String
    let path: String
    let value: JSONValue

    init(file: String, path: String, value: JSONValue) {
        self.file = file
        self.path = path
        self.value = value
    }

    /// The whole of a JSON file, keys compared by their bytes.
    static func document(_ bytes: [UInt8], file: String) throws(TokenizerError) -> JSONField {
        do {
            let root = try JSONScanner.parse(bytes, maximumDepth: 64, keyEquality: .exact)
            return JSONField(file: file, path: "", value: root.value)
        } catch {
            throw TokenizerError(file: file, place: "byte \(error.offset)", problem: error.message)
        }
    }

    func error(_ problem: String) -> TokenizerError {
        TokenizerError(file: file, place: path, problem: problem)
    }

    private func child(_ name: String, _ value: JSONValue) -> JSONField {
        JSONField(file: file, path: path.isEmpty ? name : "\(path).\(name)", value: value)
    }

    /// The members of an object, in file order.
    func members() throws(TokenizerError) -> [(key: String, node: JSONNode)] {
        guard case .object(let members) = value else {
            throw error("expected an object, found \(value.kindDescription)")
        }
        return members
    }

    /// The elements of an array, each with its indexed path.
    func elements() throws(TokenizerError) -> [JSONField] {
        guard case .array(let nodes) = value else { throw error("expected an array, found \(value.kindDescription)") }
        return nodes.enumerated().map { JSONField(file: file, path: "\(path)[\($0.offset)]", value: $0.element.value) }
    }

    /// The member `name`, or nil when absent.
    func optional(_ name: String) throws(TokenizerError) -> JSONField? {
        for member in try members() where member.key == name { return child(name, member.node.value) }
        return nil
    }

    /// The member `name`, or nil when absent or null.
    func optionalNonNull(_ name: String) throws(TokenizerError) -> JSONField? {
        guard let field = try optional(name), !field.isNull else { return nil }
        return field
    }

    /// The member `name`, which must be there.
    func required(_ name: String) throws(TokenizerError) -> JSONField {
        guard let field = try optional(name) else { throw error("missing \"\(name)\"") }
        return field
    }

    var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    func string() throws(TokenizerError) -> String {
        guard case .string(let text) = value else { throw error("expected a string, found \(value.kindDescription)") }
        return text
    }

    func bool() throws(TokenizerError) -> Bool {
        guard case .bool(let flag) = value else {
            throw error("expected true or false, found \(value.kindDescription)")
        }
        return flag
    }

    /// A non-negative integer no larger than `limit`.
    func integer(atMost limit: Int = Int(Int32.max)) throws(TokenizerError) -> Int {
        guard case .unsignedInteger(let number) = value, number <= UInt64(limit) else {
            throw error("expected an integer from 0 to \(limit), found \(value.kindDescription)")
        }
        return Int(number)
    }

    /// Any JSON number as a Double (Unigram scores are negative reals).
    func double() throws(TokenizerError) -> Double {
        switch value {
        case .unsignedInteger(let number): return Double(number)
        case .number(let text):
            guard let number = Double(text), number.isFinite else {
                throw error("expected a finite number, found \(text)")
            }
            return number
        default: throw error("expected a number, found \(value.kindDescription)")
        }
    }

    /// `member(name)` as a string, or `fallback` when absent or null.
    func string(_ name: String, default fallback: String) throws(TokenizerError) -> String {
        try optionalNonNull(name)?.string() ?? fallback
    }

    func bool(_ name: String, default fallback: Bool) throws(TokenizerError) -> Bool {
        try optionalNonNull(name)?.bool() ?? fallback
    }

    /// The `type` member, the component's name.
    func typeName() throws(TokenizerError) -> String {
        try required("type").string()
    }

    /// Refuses members other than `known` (and `type`), so a setting Smelt
    /// would ignore is named instead of silently changing the result.
    func refuseUnknownMembers(_ known: Set<String>, component: String) throws(TokenizerError) {
        for member in try members() where member.key != "type" && !known.contains(member.key) {
            throw error("\(component) setting \"\(member.key)\" is not supported")
        }
    }
}
