/// Metadata values: a u32 type tag, then the value; an array is an element
/// type, a u64 count and the elements, which may themselves be arrays
/// (GGUF specification, `gguf_metadata_value_t`).
extension GGUFCursor {
    /// A value with its type tag.
    mutating func value(key: String) throws(GGUFError) -> GGUFValue {
        let type = try valueType(key: key)
        return try value(of: type, key: key)
    }

    mutating func valueType(key: String) throws(GGUFError) -> GGUFValueType {
        let typeOffset = offset
        let raw = try integer(UInt32.self, what: "the value type of \"\(key)\"")
        guard let type = GGUFValueType(rawValue: raw) else {
            throw error(.unknownValueType(key: key, type: raw), at: typeOffset)
        }
        return type
    }

    /// A value of a known type, without its tag.
    mutating func value(of type: GGUFValueType, key: String) throws(GGUFError) -> GGUFValue {
        switch type {
        case .uint8: .uint8(try integer(UInt8.self, what: "the value of \"\(key)\""))
        case .int8: .int8(try integer(Int8.self, what: "the value of \"\(key)\""))
        case .uint16: .uint16(try integer(UInt16.self, what: "the value of \"\(key)\""))
        case .int16: .int16(try integer(Int16.self, what: "the value of \"\(key)\""))
        case .uint32: .uint32(try integer(UInt32.self, what: "the value of \"\(key)\""))
        case .int32: .int32(try integer(Int32.self, what: "the value of \"\(key)\""))
        case .uint64: .uint64(try integer(UInt64.self, what: "the value of \"\(key)\""))
        case .int64: .int64(try integer(Int64.self, what: "the value of \"\(key)\""))
        case .float32: .float32(Float(bitPattern: try integer(UInt32.self, what: "the value of \"\(key)\"")))
        case .float64: .float64(Double(bitPattern: try integer(UInt64.self, what: "the value of \"\(key)\"")))
        case .bool: .bool(try bool(key: key))
        case .string: .string(try string(what: "the value of \"\(key)\""))
        case .array: .array(try array(key: key, depth: 1))
        }
    }

    /// One byte that must be 0 or 1.
    mutating func bool(key: String) throws(GGUFError) -> Bool {
        let byteOffset = offset
        let byte = try integer(UInt8.self, what: "the value of \"\(key)\"")
        guard byte <= 1 else { throw error(.invalidBool(key: key, value: byte), at: byteOffset) }
        return byte == 1
    }

    /// An array at nesting level `depth` (1 for a value's own array).
    mutating func array(key: String, depth: Int) throws(GGUFError) -> GGUFArray {
        guard depth <= GGUFHeader.maximumArrayDepth else {
            throw error(.arrayTooDeep(key: key, limit: GGUFHeader.maximumArrayDepth), at: offset)
        }
        let elementType = try valueType(key: key)
        let count = try count(
            what: "the element count of \"\(key)\"", minimumByteCount: elementType.minimumByteCount)
        switch elementType {
        case .uint8: return .uint8(try elements(UInt8.self, count: count, key: key) { $0 })
        case .int8: return .int8(try elements(Int8.self, count: count, key: key) { $0 })
        case .uint16: return .uint16(try elements(UInt16.self, count: count, key: key) { $0 })
        case .int16: return .int16(try elements(Int16.self, count: count, key: key) { $0 })
        case .uint32: return .uint32(try elements(UInt32.self, count: count, key: key) { $0 })
        case .int32: return .int32(try elements(Int32.self, count: count, key: key) { $0 })
        case .uint64: return .uint64(try elements(UInt64.self, count: count, key: key) { $0 })
        case .int64: return .int64(try elements(Int64.self, count: count, key: key) { $0 })
        case .float32: return .float32(try elements(UInt32.self, count: count, key: key, Float.init(bitPattern:)))
        case .float64: return .float64(try elements(UInt64.self, count: count, key: key, Double.init(bitPattern:)))
        case .bool:
            var values: [Bool] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try bool(key: key)) }
            return .bool(values)
        case .string:
            var values: [String] = []
            values.reserveCapacity(count)
            for index in 0..<count { values.append(try string(what: "element \(index) of \"\(key)\"")) }
            return .string(values)
        case .array:
            var values: [GGUFArray] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try array(key: key, depth: depth + 1)) }
            return .array(values)
        }
    }

    /// `count` fixed-width little-endian elements in one pass (`count`
    /// already checked against the bytes left).
    mutating func elements<Stored: FixedWidthInteger, Value>(
        _ stored: Stored.Type, count: Int, key: String, _ convert: (Stored) -> Value
    ) throws(GGUFError) -> [Value] {
        let width = MemoryLayout<Stored>.size
        let start = try skip(count * width, what: "the elements of \"\(key)\"")
        return [Value](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            for index in 0..<count {
                buffer.initializeElement(at: index, to: convert(load(at: start + index * width, as: Stored.self)))
            }
            initializedCount = count
        }
    }
}
