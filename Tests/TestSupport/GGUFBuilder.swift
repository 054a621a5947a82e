import Checkpoint

/// Writes GGUF bytes field by field, so a test can make a file that is
/// wrong at exactly one place and know that place's offset.
public struct GGUFBuilder {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Where the next field goes.
    public var offset: UInt64 { UInt64(bytes.count) }

    public mutating func raw(_ more: [UInt8]) { bytes += more }
    public mutating func zeros(_ count: Int) { bytes += [UInt8](repeating: 0, count: count) }

    public mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    public mutating func u32(_ value: UInt32) { integer(value) }
    public mutating func u64(_ value: UInt64) { integer(value) }

    /// A GGUF string from raw bytes (which need not be UTF-8).
    public mutating func string(bytes text: [UInt8]) {
        u64(UInt64(text.count))
        raw(text)
    }

    public mutating func string(_ text: String) { string(bytes: Array(text.utf8)) }

    /// Magic, version and the two counts.
    public mutating func header(version: UInt32 = 3, tensorCount: UInt64 = 0, metadataCount: UInt64 = 0) {
        raw(Array("GGUF".utf8))
        u32(version)
        u64(tensorCount)
        u64(metadataCount)
    }

    public mutating func entry(_ key: String, _ value: GGUFValue) {
        string(key)
        self.value(value)
    }

    /// A value with its type tag.
    public mutating func value(_ value: GGUFValue) {
        u32(value.type.rawValue)
        payload(value)
    }

    public mutating func payload(_ value: GGUFValue) {
        switch value {
        case .uint8(let value): integer(value)
        case .int8(let value): integer(value)
        case .uint16(let value): integer(value)
        case .int16(let value): integer(value)
        case .uint32(let value): integer(value)
        case .int32(let value): integer(value)
        case .uint64(let value): integer(value)
        case .int64(let value): integer(value)
        case .float32(let value): integer(value.bitPattern)
        case .float64(let value): integer(value.bitPattern)
        case .bool(let value): integer(UInt8(value ? 1 : 0))
        case .string(let value): string(value)
        case .array(let value): array(value)
        }
    }

    /// An array without the outer type tag: element type, count, elements.
    public mutating func array(_ array: GGUFArray) {
        u32(array.elementType.rawValue)
        u64(UInt64(array.count))
        switch array {
        case .uint8(let values): values.forEach { integer($0) }
        case .int8(let values): values.forEach { integer($0) }
        case .uint16(let values): values.forEach { integer($0) }
        case .int16(let values): values.forEach { integer($0) }
        case .uint32(let values): values.forEach { integer($0) }
        case .int32(let values): values.forEach { integer($0) }
        case .uint64(let values): values.forEach { integer($0) }
        case .int64(let values): values.forEach { integer($0) }
        case .float32(let values): values.forEach { integer($0.bitPattern) }
        case .float64(let values): values.forEach { integer($0.bitPattern) }
        case .bool(let values): values.forEach { integer(UInt8($0 ? 1 : 0)) }
        case .string(let values): values.forEach { string($0) }
        case .array(let values): values.forEach { self.array($0) }
        }
    }

    /// A tensor info; `type` is a raw ggml type id so unknown ones can be written.
    public mutating func tensorInfo(_ name: String, type: UInt32, dimensions: [UInt64], offset: UInt64) {
        string(name)
        u32(UInt32(dimensions.count))
        dimensions.forEach { u64($0) }
        u32(type)
        u64(offset)
    }

    public mutating func tensorInfo(_ name: String, _ type: GGMLType, _ dimensions: [UInt64], offset: UInt64) {
        tensorInfo(name, type: type.rawValue, dimensions: dimensions, offset: offset)
    }

    /// Zeros up to the next multiple of `alignment`.
    public mutating func pad(to alignment: Int = 32) {
        zeros((alignment - bytes.count % alignment) % alignment)
    }

    /// One tensor of `file(...)`: its data is `byteCount` bytes of a
    /// counting pattern unless given.
    public struct Tensor {
        public let name: String
        public let type: GGMLType
        /// ggml order: row length first.
        public let dimensions: [UInt64]
        public var data: [UInt8]? = nil

        public init(name: String, type: GGMLType, dimensions: [UInt64], data: [UInt8]? = nil) {
            self.name = name
            self.type = type
            self.dimensions = dimensions
            self.data = data
        }

        public var byteCount: Int {
            Int(dimensions.reduce(1, *)) / type.blockElementCount * type.blockByteCount
        }
    }

    /// A whole valid file: header, metadata, tensor infos, the data section
    /// padded to `alignment`, each tensor padded after it, the last too
    /// unless `padsLastTensor` is false. `general.alignment` is written
    /// only when `alignment` is not 32.
    public static func file(
        version: UInt32 = 3, metadata: [(String, GGUFValue)] = [], tensors: [Tensor] = [], alignment: Int = 32,
        padsLastTensor: Bool = true
    ) -> [UInt8] {
        var entries = metadata
        if alignment != 32 { entries.append(("general.alignment", .uint32(UInt32(alignment)))) }
        var builder = GGUFBuilder()
        builder.header(version: version, tensorCount: UInt64(tensors.count), metadataCount: UInt64(entries.count))
        for (key, value) in entries { builder.entry(key, value) }
        var offset = 0
        for tensor in tensors {
            builder.tensorInfo(tensor.name, tensor.type, tensor.dimensions, offset: UInt64(offset))
            offset += (tensor.byteCount + alignment - 1) / alignment * alignment
        }
        if !tensors.isEmpty { builder.pad(to: alignment) }
        for (index, tensor) in tensors.enumerated() {
            builder.raw(tensor.data ?? (0..<tensor.byteCount).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
            if index < tensors.count - 1 || padsLastTensor { builder.pad(to: alignment) }
        }
        return builder.bytes
    }
}
