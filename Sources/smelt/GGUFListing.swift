import Base
import Checkpoint

/// What `inspect` and `hash` print for a GGUF file: its metadata (long
/// arrays summarised: a vocabulary is one line), its tensors with their
/// ggml type, shape (row-major, as Smelt and PyTorch write it), bytes and
/// offset, and the XXH3-64 of every tensor's raw bytes.
enum GGUFListing {
    /// Array elements shown before a summary takes over.
    static let shownElements = 8

    /// Whether `path` names a GGUF file (by its extension; the reader then
    /// checks the magic).
    static func isGGUF(_ path: String) -> Bool {
        path.lowercased().hasSuffix(".gguf")
    }

    static func json(_ file: GGUFFile) -> JSONOutput {
        let header = file.header
        return .object([
            ("path", .string(file.path)),
            ("format", .string("gguf")),
            ("version", .unsigned(UInt64(header.version))),
            ("size", .unsigned(file.size)),
            ("alignment", .unsigned(header.alignment)),
            ("data_start", .unsigned(header.dataStart)),
            ("metadata", .object(header.metadata.entries.map { ($0.key, json($0.value)) })),
            ("tensor_count", .unsigned(UInt64(header.tensors.count))),
            ("parameter_count", .unsigned(header.tensors.reduce(0) { $0 + UInt64($1.elementCount) })),
            (
                "tensors",
                .array(
                    header.tensors.map { tensor in
                        .object([
                            ("name", .string(tensor.name)),
                            ("type", .string(tensor.type.name)),
                            ("shape", .array(tensor.shape.map { .unsigned(UInt64($0)) })),
                            ("bytes", .unsigned(tensor.byteCount)),
                            ("offset", .unsigned(header.dataStart + tensor.offset)),
                        ])
                    })
            ),
        ])
    }

    static func json(_ value: GGUFValue) -> JSONOutput {
        switch value {
        case .uint8(let value): .unsigned(UInt64(value))
        case .int8(let value): .integer(Int64(value))
        case .uint16(let value): .unsigned(UInt64(value))
        case .int16(let value): .integer(Int64(value))
        case .uint32(let value): .unsigned(UInt64(value))
        case .int32(let value): .integer(Int64(value))
        case .uint64(let value): .unsigned(value)
        case .int64(let value): .integer(value)
        case .float32(let value): value.isFinite ? .double(Double(value)) : .string("\(value)")
        case .float64(let value): value.isFinite ? .double(value) : .string("\(value)")
        case .bool(let value): .bool(value)
        case .string(let value): .string(value)
        case .array(let array): json(array)
        }
    }

    /// An array in full when short; else its type, count and first elements.
    static func json(_ array: GGUFArray) -> JSONOutput {
        let shown = elements(of: array).prefix(shownElements).map(json)
        if array.count <= shownElements { return .array(Array(shown)) }
        return .object([
            ("type", .string("array[\(array.elementType.name)]")),
            ("count", .unsigned(UInt64(array.count))),
            ("first", .array(Array(shown))),
        ])
    }

    /// The first `shownElements` elements as values.
    static func elements(of array: GGUFArray) -> [GGUFValue] {
        func first<T>(_ values: [T], _ make: (T) -> GGUFValue) -> [GGUFValue] {
            values.prefix(shownElements).map(make)
        }
        switch array {
        case .uint8(let values): return first(values, GGUFValue.uint8)
        case .int8(let values): return first(values, GGUFValue.int8)
        case .uint16(let values): return first(values, GGUFValue.uint16)
        case .int16(let values): return first(values, GGUFValue.int16)
        case .uint32(let values): return first(values, GGUFValue.uint32)
        case .int32(let values): return first(values, GGUFValue.int32)
        case .uint64(let values): return first(values, GGUFValue.uint64)
        case .int64(let values): return first(values, GGUFValue.int64)
        case .float32(let values): return first(values, GGUFValue.float32)
        case .float64(let values): return first(values, GGUFValue.float64)
        case .bool(let values): return first(values, GGUFValue.bool)
        case .string(let values): return first(values, GGUFValue.string)
        case .array(let values): return first(values, GGUFValue.array)
        }
    }

    /// One line's worth of a value: strings quoted and escaped, long ones
    /// and long arrays cut.
    static func text(_ value: GGUFValue) -> String {
        switch value {
        case .string(let string):
            let escaped = TerminalText.escaped(string)
            return "\"" + (escaped.count > 80 ? String(escaped.prefix(77)) + "..." : escaped) + "\""
        case .array(let array):
            let shown = elements(of: array).prefix(array.count > shownElements ? 3 : shownElements).map(text)
            let list = "[" + shown.joined(separator: ", ") + (array.count > shown.count ? ", ..." : "") + "]"
            return array.count > shown.count ? "array[\(array.elementType.name)] ×\(array.count) \(list)" : list
        case .bool(let flag): return flag ? "true" : "false"
        case .float32(let number): return "\(number)"
        case .float64(let number): return "\(number)"
        case .uint64(let number): return String(number)
        default: return value.intValue.map(String.init) ?? "\(value)"
        }
    }

    static func table(_ file: GGUFFile) -> String {
        let header = file.header
        let parameters = header.tensors.reduce(UInt64(0)) { $0 + UInt64($1.elementCount) }
        var typeCounts: [String: Int] = [:]
        for tensor in header.tensors { typeCounts[tensor.type.name, default: 0] += 1 }
        var text =
            "\(TerminalText.escaped(file.path)): GGUF v\(header.version), \(header.tensors.count) tensors, "
            + "\(Formatting.grouped(parameters)) parameters, \(Formatting.bytes(file.size)) on disk, "
            + "alignment \(header.alignment), data at byte \(Formatting.grouped(header.dataStart))\n"
        text +=
            "types: " + typeCounts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            + "\n\nmetadata (\(header.metadata.count) keys):\n"
        for (key, value) in header.metadata.entries {
            text += "  \(TerminalText.escaped(key)) = \(Self.text(value))\n"
        }
        let names = header.tensors.map { TerminalText.escaped($0.name) }
        let shapes = header.tensors.map { Formatting.shape($0.shape.map { UInt64($0) }) }
        let nameWidth = min(60, max(6, names.map(\.count).max() ?? 0))
        let typeWidth = max(4, header.tensors.map(\.type.name.count).max() ?? 0)
        let shapeWidth = max(5, shapes.map(\.count).max() ?? 0)
        text +=
            "\n" + Formatting.padded("TENSOR", nameWidth) + "  " + Formatting.padded("TYPE", typeWidth) + "  "
            + Formatting.padded("SHAPE", shapeWidth) + "  " + Formatting.padded("BYTES", 13) + "  OFFSET\n"
        for (index, tensor) in header.tensors.enumerated() {
            text +=
                Formatting.padded(names[index], nameWidth) + "  " + Formatting.padded(tensor.type.name, typeWidth)
                + "  " + Formatting.padded(shapes[index], shapeWidth) + "  "
                + Formatting.padded(Formatting.grouped(tensor.byteCount), 13) + "  "
                + Formatting.grouped(header.dataStart + tensor.offset) + "\n"
        }
        return text
    }

    /// The XXH3-64 of the header (bytes before the data section) and of
    /// every tensor's raw bytes, read in 8 MiB pieces.
    static func digests(_ file: GGUFFile, progress: (UInt64) -> Void) throws -> (
        header: UInt64, tensors: [(name: String, digest: UInt64)]
    ) {
        let pieceBytes = 8 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceBytes, alignment: 64)
        defer { buffer.deallocate() }
        let hasher = XXH3Hasher()
        func hash(_ range: Range<UInt64>) throws -> UInt64 {
            hasher.reset()
            var offset = range.lowerBound
            while offset < range.upperBound {
                let count = Int(min(UInt64(pieceBytes), range.upperBound - offset))
                let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
                try file.file.read(into: piece, at: offset)
                hasher.update(UnsafeRawBufferPointer(piece))
                progress(UInt64(count))
                offset += UInt64(count)
            }
            return hasher.finalize()
        }
        let header = try hash(0..<file.header.dataStart)
        let tensors = try file.header.tensors.indices.map { index in
            (name: file.header.tensors[index].name, digest: try hash(file.fileRange(ofTensor: index)))
        }
        return (header, tensors)
    }
}
