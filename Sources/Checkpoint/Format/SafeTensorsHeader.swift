import Base
/// One tensor of a safetensors file: where its bytes are and how to read them.
public struct TensorEntry: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [UInt64]
    /// Byte range inside the data section (after the header).
    public let dataRange: Range<UInt64>

    public init(name: String, dtype: DType, shape: [UInt64], dataRange: Range<UInt64>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataRange = dataRange
    }

    /// Number of elements (1 for a scalar, 0 for a zero-length tensor).
    public var elementCount: UInt64 { shape.reduce(1, &*) }
    public var byteCount: UInt64 { UInt64(dataRange.count) }
}

/// A validated safetensors header: the length prefix, the metadata and the
/// tensors sorted by offset, proven to tile the data section exactly.
public struct SafeTensorsHeader: Sendable {
    /// Headers longer than this are refused before anything is read
    /// (the limit of the reference implementation).
    public static let maximumHeaderLength: UInt64 = 100_000_000
    /// The longest array a header may hold: shapes and offsets are short,
    /// and the limit keeps a hostile header from costing gigabytes.
    public static let maximumArrayCount = 1024

    /// N, the JSON header's length in bytes (padding included).
    public let headerLength: UInt64
    /// `__metadata__`, in file order.
    public let metadata: [(key: String, value: String)]
    /// Tensors in (begin, end) order.
    public let tensors: [TensorEntry]

    /// Where the data section starts in the file.
    public var dataStart: UInt64 { 8 + headerLength }

    /// The metadata value for `key`.
    public func metadataValue(_ key: String) -> String? {
        metadata.first { $0.key == key }?.value
    }

    /// Reads the u64 little-endian header length from the first 8 bytes and
    /// checks it against the limit and the file size.
    public static func headerLength(
        file: String, prefix: UnsafeRawBufferPointer, fileSize: UInt64
    ) throws(CheckpointError) -> UInt64 {
        guard fileSize >= 8, prefix.count >= 8 else { throw .fileTooSmall(file: file, size: fileSize) }
        let length = UInt64(littleEndian: prefix.loadUnaligned(as: UInt64.self))
        guard length <= maximumHeaderLength else {
            throw .headerTooLarge(file: file, headerLength: length, limit: maximumHeaderLength)
        }
        guard length <= fileSize - 8 else {
            throw .headerBeyondFile(file: file, headerLength: length, fileSize: fileSize)
        }
        return length
    }

    /// Validates a whole file held in memory (the fuzzer's entry point, and
    /// the definition of what a valid file is).
    public static func parse(
        file: String, fileBytes: UnsafeRawBufferPointer
    ) throws(CheckpointError) -> SafeTensorsHeader {
        let size = UInt64(fileBytes.count)
        let length = try headerLength(file: file, prefix: fileBytes, fileSize: size)
        let json = UnsafeRawBufferPointer(rebasing: fileBytes[8..<(8 + Int(length))])
        return try parse(file: file, headerBytes: json, dataSize: size - 8 - length)
    }

    /// Validates the JSON header (`headerBytes`, the N bytes after the
    /// prefix) against a data section of `dataSize` bytes.
    public static func parse(
        file: String, headerBytes: UnsafeRawBufferPointer, dataSize: UInt64
    ) throws(CheckpointError) -> SafeTensorsHeader {
        guard let first = headerBytes.first, first == UInt8(ascii: "{") else { throw .headerNotObject(file: file) }
        let root: JSONNode
        do {
            root = try JSONScanner.parse(headerBytes, maximumArrayCount: maximumArrayCount, trailingSpacesOnly: true)
        } catch {
            throw .malformedJSON(file: file, offset: 8 + error.offset, message: error.message)
        }
        guard case .object(let members) = root.value else { throw .headerNotObject(file: file) }  // checked by the '{' test too
        var metadata: [(key: String, value: String)] = []
        var tensors: [TensorEntry] = []
        tensors.reserveCapacity(members.count)
        for (key, node) in members {
            if key == "__metadata__" {
                metadata = try parseMetadata(file: file, node: node)
            } else {
                tensors.append(try parseEntry(file: file, name: key, node: node))
            }
        }
        tensors.sort {
            ($0.dataRange.lowerBound, $0.dataRange.upperBound) < ($1.dataRange.lowerBound, $1.dataRange.upperBound)
        }
        try checkTiling(file: file, tensors: tensors, dataSize: dataSize)
        return SafeTensorsHeader(headerLength: UInt64(headerBytes.count), metadata: metadata, tensors: tensors)
    }

    private static func parseMetadata(
        file: String, node: JSONNode
    ) throws(CheckpointError) -> [(key: String, value: String)] {
        guard case .object(let members) = node.value else { throw .metadataNotStrings(file: file, key: "__metadata__") }
        var pairs: [(key: String, value: String)] = []
        for (key, value) in members {
            guard case .string(let text) = value.value else { throw .metadataNotStrings(file: file, key: key) }
            pairs.append((key, text))
        }
        return pairs
    }

    private static func parseEntry(file: String, name: String, node: JSONNode) throws(CheckpointError) -> TensorEntry {
        guard !name.isEmpty else { throw .emptyTensorName(file: file) }
        func malformed(_ message: String) -> CheckpointError {
            .malformedEntry(file: file, tensor: name, message: message)
        }
        guard case .object(let fields) = node.value else {
            throw malformed("entry must be an object, found \(node.value.kindDescription)")
        }
        var dtypeName: String?
        var shape: [UInt64]?
        var offsets: [UInt64]?
        for (key, field) in fields {
            switch key {
            case "dtype":
                guard case .string(let text) = field.value else {
                    throw malformed("dtype must be a string, found \(field.value.kindDescription)")
                }
                dtypeName = text
            case "shape":
                shape = try unsignedIntegers(field, what: "shape", malformed)
            case "data_offsets":
                offsets = try unsignedIntegers(field, what: "data_offsets", malformed)
            default:
                throw malformed("unknown field \"\(key)\" (expected dtype, shape, data_offsets)")
            }
        }
        guard let dtypeName else { throw malformed("missing field \"dtype\"") }
        guard let shape else { throw malformed("missing field \"shape\"") }
        guard let offsets else { throw malformed("missing field \"data_offsets\"") }
        guard offsets.count == 2 else {
            throw malformed("data_offsets must hold exactly 2 integers, found \(offsets.count)")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw .unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw .offsetsReversed(file: file, tensor: name, begin: begin, end: end) }
        guard shapeFitsInt(shape) else { throw .shapeTooLarge(file: file, tensor: name, shape: shape) }
        guard let expected = dtype.byteCount(shape: shape) else { throw .sizeOverflow(file: file, tensor: name) }
        guard expected == end - begin else {
            throw .byteCountMismatch(file: file, tensor: name, expected: expected, found: end - begin)
        }
        return TensorEntry(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }

    /// Whether every dimension and every product of dimensions fits `Int`,
    /// a zero-length dimension counted as one (`[0, 2^64 - 1]` holds no
    /// element, but its row length is still computed), so that shapes and
    /// element counts convert to `Int` anywhere without a trap.
    static func shapeFitsInt(_ shape: [UInt64]) -> Bool {
        var product: UInt64 = 1
        for dimension in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: max(1, dimension))
            guard !overflow, next <= UInt64(Int.max) else { return false }
            product = next
        }
        return true
    }

    private static func unsignedIntegers(
        _ node: JSONNode, what: String, _ malformed: (String) -> CheckpointError
    ) throws(CheckpointError) -> [UInt64] {
        guard case .array(let elements) = node.value else {
            throw malformed("\(what) must be an array, found \(node.value.kindDescription)")
        }
        var values: [UInt64] = []
        values.reserveCapacity(elements.count)
        for element in elements {
            guard case .unsignedInteger(let value) = element.value else {
                throw malformed("\(what) must hold unsigned integers, found \(element.value.kindDescription)")
            }
            values.append(value)
        }
        return values
    }

    private static func checkTiling(file: String, tensors: [TensorEntry], dataSize: UInt64) throws(CheckpointError) {
        var cursor: UInt64 = 0
        for tensor in tensors {
            let begin = tensor.dataRange.lowerBound
            if begin < cursor { throw .offsetsOverlap(file: file, tensor: tensor.name, expected: cursor, found: begin) }
            if begin > cursor { throw .offsetsGap(file: file, tensor: tensor.name, expected: cursor, found: begin) }
            cursor = tensor.dataRange.upperBound
        }
        guard cursor == dataSize else { throw .dataSizeMismatch(file: file, tensorsEnd: cursor, dataSize: dataSize) }
    }
}
