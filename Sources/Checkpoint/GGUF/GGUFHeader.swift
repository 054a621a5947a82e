/// One tensor of a GGUF file as its tensor info describes it.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    public let type: GGMLType
    /// ggml's `ne`: `dimensions[0]` is the row length, the fastest-varying.
    public let dimensions: [Int]
    /// Where the tensor's bytes start, relative to the data section.
    public let offset: UInt64
    public let elementCount: Int
    public let byteCount: UInt64

    /// The shape in row-major (PyTorch) order: `dimensions` reversed.
    public var shape: [Int] { dimensions.reversed() }
}

/// A validated GGUF header (GGUF specification, versions 2 and 3, checked
/// as strictly as llama.cpp's gguf.cpp and the specification together):
/// the metadata, the tensor infos, and proof that the tensors tile the data
/// section in file order, each starting where the previous one's padding
/// ends, with nothing after the last one but its padding.
public struct GGUFHeader: Sendable {
    /// Everything before the data section is read into memory, so a file
    /// whose metadata and tensor infos run past this many bytes is refused
    /// (the safetensors header limit; real headers take a few megabytes).
    public static let maximumHeaderLength = 100_000_000
    /// The specification's limits on keys and tensor names.
    public static let maximumKeyLength = 65_535
    public static let maximumTensorNameLength = 64
    /// ggml's GGML_MAX_DIMS.
    public static let maximumDimensionCount = 4
    /// How deep arrays of arrays may nest; ggml itself writes none.
    public static let maximumArrayDepth = 8
    /// The alignment when `general.alignment` is absent.
    public static let defaultAlignment: UInt64 = 32
    public static let alignmentKey = "general.alignment"

    /// The fewest bytes a metadata entry takes: a key length, one byte of
    /// key, a type tag and a one-byte value.
    static let minimumEntryByteCount = 8 + 1 + 4 + 1
    /// The fewest bytes a tensor info takes: a name length, a one-byte
    /// name, the dimension count, the type and the offset.
    static let minimumTensorInfoByteCount = 8 + 1 + 4 + 4 + 8

    public let version: UInt32
    public let metadata: GGUFMetadata
    /// The tensors in file order (which is also data order).
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment`, or 32.
    public let alignment: UInt64
    /// Where the tensor infos end.
    public let headerEnd: UInt64
    /// Where the data section starts: `headerEnd` rounded up to the alignment.
    public let dataStart: UInt64

    /// Validates a whole file held in memory (the fuzzer's entry point, and
    /// the definition of what a valid file is). Only the header's bytes are
    /// touched.
    public static func parse(
        file: String, fileBytes: UnsafeRawBufferPointer, headerLimit: Int = maximumHeaderLength
    ) throws(GGUFError) -> GGUFHeader {
        var cursor = GGUFCursor(file: file, bytes: fileBytes, headerLimit: headerLimit)
        let magic = try cursor.skip(4, what: "the magic")
        let found = Array(fileBytes[magic..<magic + 4])
        guard found == Array("GGUF".utf8) else { throw cursor.error(.notGGUF(found: found), at: magic) }
        let versionOffset = cursor.offset
        let version = try cursor.integer(UInt32.self, what: "the version")
        if let problem = versionProblem(version) { throw cursor.error(problem, at: versionOffset) }
        let tensorCount = try cursor.count(what: "tensor count", minimumByteCount: minimumTensorInfoByteCount)
        let entryCount = try cursor.count(what: "metadata count", minimumByteCount: minimumEntryByteCount)
        let (metadata, alignment) = try readMetadata(&cursor, count: entryCount)
        var tensors: [GGUFTensorInfo] = []
        var offsetFields: [Int] = []
        var names: Set<String> = []
        for index in 0..<tensorCount {
            let (tensor, offsetField) = try cursor.tensorInfo(index: index, names: &names)
            tensors.append(tensor)
            offsetFields.append(offsetField)
        }
        let headerEnd = UInt64(cursor.offset)
        let dataStart = alignUp(headerEnd, to: alignment)  // checked: headerEnd <= file size < 2^63, alignment <= 2^31
        try checkLayout(
            tensors, offsetFields: offsetFields, cursor: cursor, alignment: alignment, headerEnd: headerEnd,
            dataStart: dataStart)
        return GGUFHeader(
            version: version, metadata: metadata, tensors: tensors, alignment: alignment, headerEnd: headerEnd,
            dataStart: dataStart)
    }

    /// Versions 2 and 3 are read; 1 (32-bit counts) is refused as llama.cpp
    /// refuses it, and a version whose low half is zero is a big-endian file.
    static func versionProblem(_ version: UInt32) -> GGUFError.Problem? {
        if version == 2 || version == 3 { return nil }
        if version & 0xFFFF == 0, version.byteSwapped == 2 || version.byteSwapped == 3 {
            return .bigEndian(version: version)
        }
        return .unsupportedVersion(version)
    }

    private static func readMetadata(
        _ cursor: inout GGUFCursor, count: Int
    ) throws(GGUFError) -> (GGUFMetadata, alignment: UInt64) {
        var entries: [(key: String, value: GGUFValue)] = []
        var indexByKey: [String: Int] = [:]
        var alignment = defaultAlignment
        for index in 0..<count {
            let keyOffset = cursor.offset
            let key = try cursor.string(what: "metadata key \(index)", maximumLength: maximumKeyLength)
            guard !key.isEmpty else { throw cursor.error(.empty(what: "metadata key \(index)"), at: keyOffset) }
            guard indexByKey[key] == nil else { throw cursor.error(.duplicateKey(key), at: keyOffset) }
            let typeOffset = cursor.offset
            let value = try cursor.value(key: key)
            if key == alignmentKey {
                guard case .uint32(let stated) = value else {
                    throw cursor.error(.alignmentNotUInt32(found: value.type), at: typeOffset)
                }
                guard stated != 0, stated & (stated - 1) == 0 else {
                    throw cursor.error(.alignmentNotPowerOfTwo(stated), at: typeOffset + 4)
                }
                alignment = UInt64(stated)
            }
            indexByKey[key] = entries.count
            entries.append((key, value))
        }
        return (GGUFMetadata(entries: entries, indexByKey: indexByKey), alignment)
    }

    /// `value` rounded up to a multiple of `alignment` (a power of two);
    /// callers keep `value` far enough below 2^64 for that to fit.
    static func alignUp(_ value: UInt64, to alignment: UInt64) -> UInt64 {
        (value + alignment - 1) & ~(alignment - 1)
    }
}
