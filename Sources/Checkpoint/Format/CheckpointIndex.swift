import Base
/// `model.safetensors.index.json`: which shard holds each tensor. Read
/// strictly: shard names must be plain file names in the same folder (the
/// Hugging Face cache makes them symbolic links, which is fine).
public struct CheckpointIndex: Sendable {
    public static let fileName = "model.safetensors.index.json"
    /// Index files are small; a larger one is refused before reading.
    static let maximumSize: UInt64 = 64 << 20

    public let path: String
    /// Tensor name to shard file name, in file order.
    public let weightMap: [(tensor: String, shard: String)]
    /// `metadata.total_size`, when present.
    public let totalSize: UInt64?

    /// Shard names, sorted, which for transformers' own names
    /// (model-0000i-of-0000N) is shard order.
    public var shardNames: [String] {
        var seen = Set<String>()
        return weightMap.map(\.shard).filter { seen.insert($0).inserted }.sorted()
    }

    public init(path: String) throws {
        self = try CheckpointIndex(path: path, bytes: FileSystem.readSmallFile(path, limit: Self.maximumSize))
    }

    /// Parses index bytes (the fuzzer's entry point).
    public init(path: String, bytes: [UInt8]) throws(CheckpointError) {
        self.path = path
        let root: JSONNode
        do {
            root = try JSONScanner.parse(bytes)
        } catch {
            throw .malformedJSON(file: path, offset: error.offset, message: error.message)
        }
        guard case .object(let members) = root.value else {
            throw .malformedIndex(file: path, message: "index is not a JSON object")
        }
        var weightMap: [(tensor: String, shard: String)]?
        var totalSize: UInt64?
        for (key, node) in members {
            switch key {
            case "weight_map":
                weightMap = try Self.parseWeightMap(path: path, node: node)
            case "metadata":
                totalSize = try Self.parseTotalSize(path: path, node: node)
            default:
                continue  // other keys carry nothing Smelt needs
            }
        }
        guard let weightMap else { throw .malformedIndex(file: path, message: "index has no \"weight_map\"") }
        guard !weightMap.isEmpty else { throw .malformedIndex(file: path, message: "\"weight_map\" names no tensors") }
        self.weightMap = weightMap
        self.totalSize = totalSize
    }

    private static func parseWeightMap(
        path: String, node: JSONNode
    ) throws(CheckpointError) -> [(tensor: String, shard: String)] {
        guard case .object(let entries) = node.value else {
            throw .malformedIndex(
                file: path, message: "\"weight_map\" must be an object, found \(node.value.kindDescription)")
        }
        var map: [(tensor: String, shard: String)] = []
        for (tensor, value) in entries {
            guard case .string(let shard) = value.value else {
                throw .malformedIndex(
                    file: path,
                    message: "weight_map entry \"\(tensor)\" must be a file name, found \(value.value.kindDescription)")
            }
            guard isPlainFileName(shard) else { throw .indexFileNameUnsafe(file: path, tensor: tensor, name: shard) }
            map.append((tensor, shard))
        }
        return map
    }

    private static func parseTotalSize(path: String, node: JSONNode) throws(CheckpointError) -> UInt64? {
        guard case .object(let fields) = node.value else {
            throw .malformedIndex(
                file: path, message: "\"metadata\" must be an object, found \(node.value.kindDescription)")
        }
        guard let total = fields.first(where: { $0.key == "total_size" })?.node else { return nil }
        switch total.value {
        case .unsignedInteger(let value): return value
        // transformers has written total_size as a float ("123.0") in some releases.
        case .number(let text) where Double(text).map { $0 >= 0 && $0 == $0.rounded() && $0 < 1.8e19 } == true:
            return UInt64(Double(text)!)  // checked: the guard just parsed it as a whole non-negative number
        default:
            throw .malformedIndex(
                file: path,
                message: "metadata.total_size must be an unsigned integer, found \(total.value.kindDescription)")
        }
    }

    /// A name with no slash, not "." or "..", not empty. Checked on bytes:
    /// Swift compares Characters, and "/" followed by a combining mark is
    /// one Character that is not "/", yet the kernel still splits the path
    /// at that byte (found by the index fuzzer).
    static func isPlainFileName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return !bytes.isEmpty && bytes != [0x2E] && bytes != [0x2E, 0x2E] && !bytes.contains(0x2F) && !bytes.contains(0)
    }

    /// Checks that every tensor the index names is in its shard, that every
    /// stored tensor is named there, that no name is stored twice, and that
    /// total_size (when given) adds up.
    func check(against files: [SafeTensorsFile]) throws(CheckpointError) {
        var owner: [String: String] = [:]
        var actualSize: UInt64 = 0
        for file in files {
            let shard = file.path.lastPathComponent
            for tensor in file.header.tensors {
                if let other = owner[tensor.name] {
                    throw .duplicateTensor(file: file.path, tensor: tensor.name, otherFile: other)
                }
                owner[tensor.name] = shard
                actualSize += tensor.byteCount
            }
        }
        var named = Set<String>()
        for (tensor, shard) in weightMap {
            named.insert(tensor)
            guard owner[tensor] == shard else { throw .indexTensorMissing(file: path, tensor: tensor, shard: shard) }
        }
        for (tensor, shard) in owner.sorted(by: { $0.key < $1.key }) where !named.contains(tensor) {
            throw .tensorNotInIndex(file: path, tensor: tensor, shard: shard)
        }
        if let totalSize, totalSize != actualSize {
            throw .indexTotalSizeMismatch(file: path, stated: totalSize, actual: actualSize)
        }
    }
}
