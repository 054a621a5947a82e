import Base
import Checkpoint

/// Fuzzes `CheckpointIndex(path:bytes:)` with model.safetensors.index.json
/// contents: no crash, only plain shard names accepted, and what was
/// accepted reads back the same after rendering it the way the writer does.
public enum CheckpointIndexTarget {
    public static func run(_ input: UnsafeRawBufferPointer) {
        let index: CheckpointIndex
        do {
            index = try CheckpointIndex(path: CheckpointIndex.fileName, bytes: Array(input))
        } catch {
            return
        }
        for (tensor, shard) in index.weightMap {
            invariant(isPlainFileName(shard), "weight_map entry \"\(tensor)\" accepted unsafe file name \"\(shard)\" \(Array(shard.utf8))")
        }
        let shardNames = index.shardNames
        invariant(shardNames == Array(Set(index.weightMap.map(\.shard))).sorted(), "shardNames is not the sorted set of weight_map's files")

        var root: [(String, JSONOutput)] = []
        if let totalSize = index.totalSize { root.append(("metadata", .object([("total_size", .unsigned(totalSize))]))) }
        root.append(("weight_map", .object(index.weightMap.map { ($0.tensor, .string($0.shard)) })))
        let rendered = JSONOutput.object(root).rendered(pretty: true)
        do {
            let reread = try CheckpointIndex(path: CheckpointIndex.fileName, bytes: Array(rendered.utf8))
            invariant(reread.totalSize == index.totalSize, "total_size changed on rendering")
            invariant(reread.weightMap.elementsEqual(index.weightMap, by: { sameBytes($0.tensor, $1.tensor) && sameBytes($0.shard, $1.shard) }), "weight_map changed on rendering")
        } catch {
            invariant(false, "the rendered index does not read back: \(error)")
        }
    }

    /// STYLE.md's rule for index file names, checked on the bytes the kernel
    /// will see: it splits paths at every 0x2F byte and stops at 0x00,
    /// whereas `String.contains` compares grapheme clusters, and "/"
    /// followed by a combining mark is one cluster that is not "/".
    static func isPlainFileName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return !bytes.isEmpty && bytes != [0x2E] && bytes != [0x2E, 0x2E] && !bytes.contains(0x2F) && !bytes.contains(0)
    }
}
