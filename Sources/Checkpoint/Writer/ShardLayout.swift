import Base
/// A tensor the writer will store: its name, dtype and shape.
public struct OutputTensor: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [UInt64]

    public init(name: String, dtype: DType, shape: [UInt64]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }
}

/// Where one output tensor goes: its shard and its byte range in that file.
public struct TensorPlacement: Sendable, Equatable {
    public let tensor: OutputTensor
    public let shardIndex: Int
    /// Byte range in the shard file (header included before it).
    public let fileRange: Range<UInt64>
    /// Byte offset in the shard file of the 16 placeholder characters of
    /// this tensor's digest in `__metadata__`.
    public let digestOffset: UInt64
}

/// One output shard: its name, its header bytes (with digest
/// placeholders) and its final size, all known before any data is written.
public struct ShardLayout: Sendable {
    public let fileName: String
    public let header: [UInt8]
    public let fileSize: UInt64
    public let placements: [TensorPlacement]
}

/// Errors in the list of tensors handed to the writer.
public enum LayoutError: SmeltError, Equatable {
    public var exitCode: ExitCode { .dataError }

    case duplicateName(String)
    case emptyName
    case sizeOverflow(String)

    public var description: String {
        switch self {
        case .duplicateName(let name): "output tensor \"\(name)\" is listed twice"
        case .emptyName: "an output tensor has an empty name"
        case .sizeOverflow(let name): "output tensor \"\(name)\" is too large to store"
        }
    }
}

/// The placeholder written where a digest goes until the data is final: 16
/// characters that are not hex, so an unpatched shard reads as unfinished.
public let digestPlaceholder = "????????????????"

extension ShardLayout {
    /// Splits `tensors`, in the order given, into shards of at most
    /// `shardSizeLimit` data bytes (a larger tensor gets a shard of its own),
    /// and lays out each header: `__metadata__` first with `"format": "pt"`
    /// and a digest placeholder per tensor, then the tensors in offset
    /// order, padded with spaces to a multiple of 8 bytes.
    /// A single shard is named `singleFileName` (PEFT's adapters go in
    /// `adapter_model.safetensors`).
    public static func plan(
        tensors: [OutputTensor], shardSizeLimit: UInt64, singleFileName: String = "model.safetensors"
    ) throws(LayoutError) -> [ShardLayout] {
        var names = Set<String>()
        var groups: [[(OutputTensor, UInt64)]] = [[]]
        var groupBytes: UInt64 = 0
        for tensor in tensors {
            guard !tensor.name.isEmpty else { throw .emptyName }
            guard names.insert(tensor.name).inserted else { throw .duplicateName(tensor.name) }
            guard let bytes = tensor.dtype.byteCount(shape: tensor.shape) else { throw .sizeOverflow(tensor.name) }
            let (grown, overflow) = groupBytes.addingReportingOverflow(bytes)
            if !groups[groups.count - 1].isEmpty && (overflow || grown > shardSizeLimit) {
                groups.append([])
                groupBytes = 0
            }
            groups[groups.count - 1].append((tensor, bytes))
            groupBytes &+= bytes  // a lone tensor cannot overflow: its size fit in 64 bits
        }
        let count = groups.count
        return try groups.enumerated().map { (shardIndex, group) throws(LayoutError) in
            let name = count == 1 ? singleFileName : shardFileName(shardIndex + 1, of: count)
            return try layout(group, fileName: name, shardIndex: shardIndex)
        }
    }

    /// transformers' shard name: model-00001-of-00003.safetensors.
    public static func shardFileName(_ number: Int, of count: Int) -> String {
        func padded(_ value: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, 5 - text.count)) + text
        }
        return "model-\(padded(number))-of-\(padded(count)).safetensors"
    }

    private static func layout(
        _ group: [(OutputTensor, UInt64)], fileName: String, shardIndex: Int
    ) throws(LayoutError) -> ShardLayout {
        var json = "{\"__metadata__\":{\"format\":\"pt\""
        var placeholderPositions: [Int] = []
        for (tensor, _) in group {
            json += ",\(JSONOutput.quoted("xxh3:" + tensor.name)):\""
            placeholderPositions.append(json.utf8.count)
            json += digestPlaceholder + "\""
        }
        json += "}"
        var offset: UInt64 = 0
        var ranges: [Range<UInt64>] = []
        for (tensor, bytes) in group {
            let (end, overflow) = offset.addingReportingOverflow(bytes)
            guard !overflow else { throw .sizeOverflow(tensor.name) }
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            json +=
                ",\(JSONOutput.quoted(tensor.name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
            ranges.append(offset..<end)
            offset = end
        }
        json += "}"
        var header = [UInt8](json.utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var prefixed = [UInt8](repeating: 0, count: 8)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { for index in 0..<8 { prefixed[index] = $0[index] } }
        prefixed += header
        let dataStart = UInt64(prefixed.count)
        let placements = zip(group, zip(ranges, placeholderPositions)).map { entry, placement in
            TensorPlacement(
                tensor: entry.0, shardIndex: shardIndex,
                fileRange: (dataStart + placement.0.lowerBound)..<(dataStart + placement.0.upperBound),
                digestOffset: 8 + UInt64(placement.1))
        }
        let (size, overflow) = dataStart.addingReportingOverflow(offset)
        guard !overflow else { throw .sizeOverflow(fileName) }
        return ShardLayout(fileName: fileName, header: prefixed, fileSize: size, placements: placements)
    }
}
