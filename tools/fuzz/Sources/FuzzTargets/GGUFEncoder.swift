import Checkpoint

/// Writes a parsed GGUF header back as bytes: magic, version, counts,
/// metadata and tensor infos, exactly as the format encodes them. Used to
/// check that the reader kept every byte's meaning.
enum GGUFEncoder {
    static func header(_ header: GGUFHeader) -> [UInt8] {
        var bytes = Array("GGUF".utf8)
        append(header.version, to: &bytes)
        append(UInt64(header.tensors.count), to: &bytes)
        append(UInt64(header.metadata.count), to: &bytes)
        for (key, value) in header.metadata.entries {
            append(key, to: &bytes)
            append(value.type.rawValue, to: &bytes)
            append(value, to: &bytes)
        }
        for tensor in header.tensors {
            append(tensor.name, to: &bytes)
            append(UInt32(tensor.dimensions.count), to: &bytes)
            for dimension in tensor.dimensions { append(UInt64(dimension), to: &bytes) }
            append(tensor.type.rawValue, to: &bytes)
            append(tensor.offset, to: &bytes)
        }
        return bytes
    }

    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    static func append(_ text: String, to bytes: inout [UInt8]) {
        append(UInt64(text.utf8.count), to: &bytes)
        bytes += text.utf8
    }

    static func append(_ value: GGUFValue, to bytes: inout [UInt8]) {
        switch value {
        case .uint8(let value): append(value, to: &bytes)
        case .int8(let value): append(value, to: &bytes)
        case .uint16(let value): append(value, to: &bytes)
        case .int16(let value): append(value, to: &bytes)
        case .uint32(let value): append(value, to: &bytes)
        case .int32(let value): append(value, to: &bytes)
        case .uint64(let value): append(value, to: &bytes)
        case .int64(let value): append(value, to: &bytes)
        case .float32(let value): append(value.bitPattern, to: &bytes)
        case .float64(let value): append(value.bitPattern, to: &bytes)
        case .bool(let value): append(UInt8(value ? 1 : 0), to: &bytes)
        case .string(let value): append(value, to: &bytes)
        case .array(let array): append(array, to: &bytes)
        }
    }

    static func append(_ array: GGUFArray, to bytes: inout [UInt8]) {
        append(array.elementType.rawValue, to: &bytes)
        append(UInt64(array.count), to: &bytes)
        switch array {
        case .uint8(let values): for value in values { append(value, to: &bytes) }
        case .int8(let values): for value in values { append(value, to: &bytes) }
        case .uint16(let values): for value in values { append(value, to: &bytes) }
        case .int16(let values): for value in values { append(value, to: &bytes) }
        case .uint32(let values): for value in values { append(value, to: &bytes) }
        case .int32(let values): for value in values { append(value, to: &bytes) }
        case .uint64(let values): for value in values { append(value, to: &bytes) }
        case .int64(let values): for value in values { append(value, to: &bytes) }
        case .float32(let values): for value in values { append(value.bitPattern, to: &bytes) }
        case .float64(let values): for value in values { append(value.bitPattern, to: &bytes) }
        case .bool(let values): for value in values { append(UInt8(value ? 1 : 0), to: &bytes) }
        case .string(let values): for value in values { append(value, to: &bytes) }
        case .array(let values): for value in values { append(value, to: &bytes) }
        }
    }
}
