import Base

/// Typed access to the fields of a config.json object, each refusal naming
/// the field (with its parent's name for nested objects).
struct ConfigObject {
    let file: String
    let prefix: String
    let fields: [String: JSONValue]

    init(file: String, prefix: String = "", value: JSONValue, field: String = "config") throws(ModelError) {
        guard case .object(let entries) = value else {
            throw .unsupportedConfig(file: file, field: field, problem: "is \(value.kindDescription), not an object")
        }
        self.file = file
        self.prefix = prefix
        var fields: [String: JSONValue] = [:]
        for entry in entries { fields[entry.key] = entry.node.value }
        self.fields = fields
    }

    func name(_ key: String) -> String { prefix + key }

    func refuse(_ key: String, _ problem: String) -> ModelError {
        .unsupportedConfig(file: file, field: name(key), problem: problem)
    }

    /// Whether the key is absent or null.
    func isAbsent(_ key: String) -> Bool {
        switch fields[key] {
        case nil, .null?: true
        default: false
        }
    }

    func optionalInteger(_ key: String) throws(ModelError) -> Int? {
        guard let value = fields[key] else { return nil }
        switch value {
        case .null: return nil
        case .unsignedInteger(let number) where number <= UInt64(Int32.max): return Int(number)
        default: throw refuse(key, "is \(value.kindDescription), not a count")
        }
    }

    func positive(_ key: String) throws(ModelError) -> Int {
        guard let value = try optionalInteger(key) else { throw refuse(key, "is missing") }
        guard value > 0 else { throw refuse(key, "is 0, not a positive count") }
        return value
    }

    func optionalNumber(_ key: String) throws(ModelError) -> Double? {
        guard let value = fields[key] else { return nil }
        switch value {
        case .null: return nil
        case .unsignedInteger(let number): return Double(number)
        case .number(let text):
            guard let number = Double(text), number.isFinite else { throw refuse(key, "is not a finite number") }
            return number
        default: throw refuse(key, "is \(value.kindDescription), not a number")
        }
    }

    func number(_ key: String) throws(ModelError) -> Double {
        guard let value = try optionalNumber(key) else { throw refuse(key, "is missing") }
        return value
    }

    func optionalBool(_ key: String) throws(ModelError) -> Bool? {
        switch fields[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let value?: throw refuse(key, "is \(value.kindDescription), not a boolean")
        }
    }

    func optionalString(_ key: String) throws(ModelError) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let value?: throw refuse(key, "is \(value.kindDescription), not a string")
        }
    }

    func optionalObject(_ key: String) throws(ModelError) -> ConfigObject? {
        guard let value = fields[key] else { return nil }
        if case .null = value { return nil }
        return try ConfigObject(file: file, prefix: name(key) + ".", value: value, field: name(key))
    }

    func optionalStrings(_ key: String) throws(ModelError) -> [String]? {
        switch fields[key] {
        case nil, .null?: return nil
        case .array(let nodes)?:
            var strings: [String] = []
            for node in nodes {
                guard case .string(let text) = node.value else { throw refuse(key, "holds a value that is not a string") }
                strings.append(text)
            }
            return strings
        case let value?: throw refuse(key, "is \(value.kindDescription), not a list of strings")
        }
    }

    /// Refuses any value but `expected` (or absence).
    func require(_ key: String, toBe expected: String) throws(ModelError) {
        if let value = try optionalString(key), value != expected {
            throw refuse(key, "is \"\(value)\"; Smelt supports only \"\(expected)\"")
        }
    }
}
