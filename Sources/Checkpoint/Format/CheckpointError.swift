import Base
/// Everything that can be wrong with a checkpoint we read, each case naming
/// the file, the tensor where there is one, and the rule broken (STYLE.md,
/// "Reading files we did not write").
public enum CheckpointError: SmeltError, Equatable, Sendable {
    public var exitCode: ExitCode { .dataError }

    case fileTooSmall(file: String, size: UInt64)
    case headerTooLarge(file: String, headerLength: UInt64, limit: UInt64)
    case headerBeyondFile(file: String, headerLength: UInt64, fileSize: UInt64)
    case headerNotObject(file: String)
    case malformedJSON(file: String, offset: Int, message: String)
    case metadataNotStrings(file: String, key: String)
    case emptyTensorName(file: String)
    case malformedEntry(file: String, tensor: String, message: String)
    case unknownDType(file: String, tensor: String, dtype: String)
    case sizeOverflow(file: String, tensor: String)
    case shapeTooLarge(file: String, tensor: String, shape: [UInt64])
    case byteCountMismatch(file: String, tensor: String, expected: UInt64, found: UInt64)
    case offsetsReversed(file: String, tensor: String, begin: UInt64, end: UInt64)
    case offsetsOverlap(file: String, tensor: String, expected: UInt64, found: UInt64)
    case offsetsGap(file: String, tensor: String, expected: UInt64, found: UInt64)
    case dataSizeMismatch(file: String, tensorsEnd: UInt64, dataSize: UInt64)
    case noWeights(folder: String, found: [String])
    case malformedIndex(file: String, message: String)
    case indexFileNameUnsafe(file: String, tensor: String, name: String)
    case indexTensorMissing(file: String, tensor: String, shard: String)
    case tensorNotInIndex(file: String, tensor: String, shard: String)
    case duplicateTensor(file: String, tensor: String, otherFile: String)
    case indexTotalSizeMismatch(file: String, stated: UInt64, actual: UInt64)

    /// The file the problem is in.
    public var file: String {
        switch self {
        case .fileTooSmall(let file, _), .headerTooLarge(let file, _, _),
            .headerBeyondFile(let file, _, _),
            .headerNotObject(let file), .malformedJSON(let file, _, _), .metadataNotStrings(let file, _),
            .emptyTensorName(let file), .malformedEntry(let file, _, _), .unknownDType(let file, _, _),
            .sizeOverflow(let file, _), .shapeTooLarge(let file, _, _), .byteCountMismatch(let file, _, _, _),
            .offsetsReversed(let file, _, _, _),
            .offsetsOverlap(let file, _, _, _), .offsetsGap(let file, _, _, _), .dataSizeMismatch(let file, _, _),
            .noWeights(let file, _), .malformedIndex(let file, _), .indexFileNameUnsafe(let file, _, _),
            .indexTensorMissing(let file, _, _), .tensorNotInIndex(let file, _, _), .duplicateTensor(let file, _, _),
            .indexTotalSizeMismatch(let file, _, _):
            file
        }
    }

    /// The tensor concerned, where there is one.
    public var tensor: String? {
        switch self {
        case .malformedEntry(_, let tensor, _), .unknownDType(_, let tensor, _), .sizeOverflow(_, let tensor),
            .shapeTooLarge(_, let tensor, _),
            .byteCountMismatch(_, let tensor, _, _), .offsetsReversed(_, let tensor, _, _),
            .offsetsOverlap(_, let tensor, _, _), .offsetsGap(_, let tensor, _, _),
            .indexFileNameUnsafe(_, let tensor, _), .indexTensorMissing(_, let tensor, _),
            .tensorNotInIndex(_, let tensor, _), .duplicateTensor(_, let tensor, _):
            tensor
        default:
            nil
        }
    }

    /// What is wrong, without the file name.
    public var problem: String {
        switch self {
        case .fileTooSmall(_, let size):
            "file is \(size) bytes, too small for the 8-byte header length"
        case .headerTooLarge(_, let length, let limit):
            "header length \(length) exceeds the limit of \(limit) bytes"
        case .headerBeyondFile(_, let length, let size):
            "header length \(length) runs past the end of the \(size)-byte file"
        case .headerNotObject:
            "header is not a JSON object starting with '{'"
        case .malformedJSON(_, let offset, let message):
            "header JSON is malformed at byte \(offset): \(message)"
        case .metadataNotStrings(_, let key):
            "__metadata__ must map strings to strings, but \"\(key)\" is not a string"
        case .emptyTensorName:
            "a tensor has an empty name"
        case .malformedEntry(_, _, let message):
            message
        case .unknownDType(_, _, let dtype):
            "unknown dtype \"\(dtype)\" (expected one of \(DType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .shapeTooLarge(_, _, let shape):
            "shape \(shape) has a dimension or a product of dimensions above \(Int.max), more than this machine can address"
        case .sizeOverflow:
            "shape times element size overflows 64 bits or is not a whole number of bytes"
        case .byteCountMismatch(_, _, let expected, let found):
            "dtype and shape need \(expected) bytes but data_offsets span \(found)"
        case .offsetsReversed(_, _, let begin, let end):
            "data_offsets [\(begin), \(end)] end before they begin"
        case .offsetsOverlap(_, _, let expected, let found):
            "data overlaps the previous tensor: begins at \(found), previous ended at \(expected)"
        case .offsetsGap(_, _, let expected, let found):
            "data leaves a gap: begins at \(found), expected \(expected)"
        case .dataSizeMismatch(_, let tensorsEnd, let dataSize):
            "tensors end at byte \(tensorsEnd) of the data section, which is \(dataSize) bytes (truncated or padded file)"
        case .noWeights(_, let found):
            "no model.safetensors.index.json, model.safetensors or single *.safetensors file; found: "
                + (found.isEmpty ? "nothing" : Formatting.list(found))
        case .malformedIndex(_, let message):
            message
        case .indexFileNameUnsafe(_, _, let name):
            "weight_map names \"\(name)\", which is not a plain file name in the same folder"
        case .indexTensorMissing(_, _, let shard):
            "weight_map says the tensor is in \(shard), but that file has no such tensor"
        case .tensorNotInIndex(_, _, let shard):
            "tensor is stored in \(shard) but weight_map does not name it there"
        case .duplicateTensor(_, _, let otherFile):
            "tensor is also stored in \(otherFile)"
        case .indexTotalSizeMismatch(_, let stated, let actual):
            "metadata.total_size is \(stated) but the tensors take \(actual) bytes"
        }
    }

    public var description: String {
        if let tensor { return "\(file): tensor \"\(tensor)\": \(problem)" }
        return "\(file): \(problem)"
    }
}
