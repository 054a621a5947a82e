import Base
#if canImport(Glibc)
import Glibc
#endif

/// A model as stored on disk: one safetensors file, or a folder holding one
/// or several shards (DESIGN.md, "Formats"). Every shard is mapped and
/// validated on open; tensor names are unique across shards.
public final class Checkpoint: Sendable {
    /// What the user named (a folder or a file).
    public let path: String
    /// The folder holding the shards.
    public let folder: String
    /// The shards in index order (or the single file).
    public let files: [SafeTensorsFile]
    /// The index, when the checkpoint is sharded.
    public let index: CheckpointIndex?

    /// Opens a folder or a single `.safetensors` file.
    public init(path: String) throws {
        self.path = path
        guard let status = try FileSystem.status(path) else {
            throw SystemError(call: "stat", path: path, errno: ENOENT)
        }
        if !status.isDirectory {
            folder = path.deletingLastPathComponent
            files = [try SafeTensorsFile(path: path)]
            index = nil
            return
        }
        folder = path
        let names = try FileSystem.contents(ofDirectory: path)
        if names.contains(CheckpointIndex.fileName) {
            let index = try CheckpointIndex(path: path + "/" + CheckpointIndex.fileName)
            self.index = index
            files = try index.shardNames.map { try SafeTensorsFile(path: path + "/" + $0) }
            try index.check(against: files)
        } else if names.contains("model.safetensors") {
            index = nil
            files = [try SafeTensorsFile(path: path + "/model.safetensors")]
        } else {
            let candidates = names.filter { $0.hasSuffix(".safetensors") }
            guard candidates.count == 1 else { throw CheckpointError.noWeights(folder: path, found: names) }
            index = nil
            files = [try SafeTensorsFile(path: path + "/" + candidates[0])]
        }
    }

    /// Every tensor with the file that stores it, in file then offset order.
    public var tensors: [(file: SafeTensorsFile, tensor: TensorEntry)] {
        files.flatMap { file in file.header.tensors.map { (file, $0) } }
    }

    /// Total bytes of tensor data.
    public var tensorByteCount: UInt64 {
        files.reduce(0) { $0 + $1.header.tensors.reduce(0) { $0 + $1.byteCount } }
    }
}
