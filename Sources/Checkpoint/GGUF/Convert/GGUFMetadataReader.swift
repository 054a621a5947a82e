/// Typed reads of the metadata keys a converter needs; a missing key or a
/// value of the wrong kind is a `ConvertError` naming the file and key.
/// Numbers are read as transformers' `_gguf_parse_value` reads them: any
/// integer type as an integer, float32 widened exactly to a double.
struct GGUFMetadataReader {
    let metadata: GGUFMetadata
    let file: String

    func integer(_ key: String) throws(ConvertError) -> Int {
        guard let value = try optionalInteger(key) else { throw .missingMetadata(file: file, key: key) }
        return value
    }

    func optionalInteger(_ key: String) throws(ConvertError) -> Int? {
        guard let value = metadata[key] else { return nil }
        guard let integer = value.intValue else {
            throw .invalidMetadata(file: file, key: key, problem: "is \(value.type.name), not an integer")
        }
        return integer
    }

    /// A count or size: an integer of at least `minimum`.
    func positive(_ key: String, minimum: Int = 1) throws(ConvertError) -> Int {
        let value = try integer(key)
        guard value >= minimum else {
            throw .invalidMetadata(file: file, key: key, problem: "is \(value), below the smallest allowed, \(minimum)")
        }
        return value
    }

    func optionalPositive(_ key: String) throws(ConvertError) -> Int? {
        try metadata[key] == nil ? nil : positive(key)
    }

    /// A float32 or float64 value (an integer is taken as its value), finite.
    func number(_ key: String) throws(ConvertError) -> Double {
        guard let value = try optionalNumber(key) else { throw .missingMetadata(file: file, key: key) }
        return value
    }

    func optionalNumber(_ key: String) throws(ConvertError) -> Double? {
        guard let value = metadata[key] else { return nil }
        guard let number = value.doubleValue ?? value.intValue.map(Double.init) else {
            throw .invalidMetadata(file: file, key: key, problem: "is \(value.type.name), not a number")
        }
        guard number.isFinite else { throw .invalidMetadata(file: file, key: key, problem: "is \(number)") }
        return number
    }

    func optionalString(_ key: String) throws(ConvertError) -> String? {
        guard let value = metadata[key] else { return nil }
        guard let text = value.stringValue else {
            throw .invalidMetadata(file: file, key: key, problem: "is \(value.type.name), not a string")
        }
        return text
    }

    /// The number of elements of an array value, nil when absent.
    func optionalArrayCount(_ key: String) throws(ConvertError) -> Int? {
        guard let value = metadata[key] else { return nil }
        guard let array = value.arrayValue else {
            throw .invalidMetadata(file: file, key: key, problem: "is \(value.type.name), not an array")
        }
        return array.count
    }
}
