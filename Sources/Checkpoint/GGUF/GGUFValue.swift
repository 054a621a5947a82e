/// The type tag of a GGUF metadata value (GGUF specification,
/// `gguf_metadata_value_type`).
public enum GGUFValueType: UInt32, CaseIterable, Sendable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7, string = 8
    case array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The type's name as the specification writes it ("uint32").
    public var name: String {
        switch self {
        case .uint8: "uint8"
        case .int8: "int8"
        case .uint16: "uint16"
        case .int16: "int16"
        case .uint32: "uint32"
        case .int32: "int32"
        case .float32: "float32"
        case .bool: "bool"
        case .string: "string"
        case .array: "array"
        case .uint64: "uint64"
        case .int64: "int64"
        case .float64: "float64"
        }
    }

    /// The fewest bytes a value of this type takes in a file: its width,
    /// a string's length prefix, an array's element type and count. Counts
    /// read from a file are checked against the bytes left divided by this
    /// before anything is allocated.
    public var minimumByteCount: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64, .string: 8
        case .array: 12
        }
    }
}

/// One metadata value of a GGUF file, typed as the file stores it.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    case array(GGUFArray)

    /// The type tag the file gave this value.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }

    /// The value of any integer type, when it fits `Int`.
    public var intValue: Int? {
        switch self {
        case .uint8(let value): Int(value)
        case .int8(let value): Int(value)
        case .uint16(let value): Int(value)
        case .int16(let value): Int(value)
        case .uint32(let value): Int(exactly: value)
        case .int32(let value): Int(value)
        case .uint64(let value): Int(exactly: value)
        case .int64(let value): Int(exactly: value)
        default: nil
        }
    }

    /// A float32 or float64 value, widened to Double.
    public var doubleValue: Double? {
        switch self {
        case .float32(let value): Double(value)
        case .float64(let value): value
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: GGUFArray? {
        if case .array(let value) = self { return value }
        return nil
    }
}

/// A GGUF array: elements of one type, kept as a Swift array of that type
/// (a 150,000-token vocabulary is one `[String]`, not 150,000 enums). An
/// array of arrays holds arrays whose element types may differ.
public enum GGUFArray: Sendable, Equatable {
    case uint8([UInt8]), int8([Int8]), uint16([UInt16]), int16([Int16]), uint32([UInt32]), int32([Int32])
    case uint64([UInt64]), int64([Int64]), float32([Float]), float64([Double]), bool([Bool]), string([String])
    case array([GGUFArray])

    /// The type tag of the elements.
    public var elementType: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }

    public var count: Int {
        switch self {
        case .uint8(let values): values.count
        case .int8(let values): values.count
        case .uint16(let values): values.count
        case .int16(let values): values.count
        case .uint32(let values): values.count
        case .int32(let values): values.count
        case .uint64(let values): values.count
        case .int64(let values): values.count
        case .float32(let values): values.count
        case .float64(let values): values.count
        case .bool(let values): values.count
        case .string(let values): values.count
        case .array(let values): values.count
        }
    }

    /// The elements of a string array (a vocabulary, merges).
    public var strings: [String]? {
        if case .string(let values) = self { return values }
        return nil
    }

    /// The elements of a float32 array (token scores).
    public var floats: [Float]? {
        if case .float32(let values) = self { return values }
        return nil
    }

    /// The elements of an array of any integer type (token types, ids),
    /// when every one fits `Int`.
    public var ints: [Int]? {
        func all<T: BinaryInteger>(_ values: [T]) -> [Int]? {
            var result: [Int] = []
            result.reserveCapacity(values.count)
            for value in values {
                guard let converted = Int(exactly: value) else { return nil }
                result.append(converted)
            }
            return result
        }
        switch self {
        case .uint8(let values): return all(values)
        case .int8(let values): return all(values)
        case .uint16(let values): return all(values)
        case .int16(let values): return all(values)
        case .uint32(let values): return all(values)
        case .int32(let values): return all(values)
        case .uint64(let values): return all(values)
        case .int64(let values): return all(values)
        default: return nil
        }
    }
}

/// The metadata of a GGUF file: its key-value pairs in file order, with
/// keys unique (compared as Swift strings, so two keys that are canonically
/// equivalent Unicode are one key, and refused as a duplicate).
public struct GGUFMetadata: Sendable {
    public let entries: [(key: String, value: GGUFValue)]
    private let indexByKey: [String: Int]

    init(entries: [(key: String, value: GGUFValue)], indexByKey: [String: Int]) {
        self.entries = entries
        self.indexByKey = indexByKey
    }

    /// The value stored under `key`, if any.
    public subscript(key: String) -> GGUFValue? {
        indexByKey[key].map { entries[$0].value }
    }

    public var count: Int { entries.count }
}
