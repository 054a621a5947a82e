import Checkpoint

/// Fuzzes `SafeTensorsHeader.parse(file:fileBytes:)` with whole files.
///
/// Rejecting an input with a `CheckpointError` is fine; what must hold is
/// that nothing crashes or reads outside the buffer (AddressSanitizer
/// watches), that an accepted header obeys STYLE.md's rules, and that
/// Smelt's writer lays the same tensors out as a header the reader accepts
/// again.
public enum SafeTensorsHeaderTarget {
    public static func run(_ input: UnsafeRawBufferPointer) {
        let header: SafeTensorsHeader
        do {
            header = try SafeTensorsHeader.parse(file: "fuzz.safetensors", fileBytes: input)
        } catch {
            return
        }
        checkRules(header, fileSize: UInt64(input.count))
        checkWriterRoundTrip(header)
    }

    /// STYLE.md, "Reading files we did not write".
    static func checkRules(_ header: SafeTensorsHeader, fileSize: UInt64) {
        invariant(header.headerLength <= SafeTensorsHeader.maximumHeaderLength, "header length \(header.headerLength) over the limit")
        invariant(header.dataStart <= fileSize, "data starts at \(header.dataStart), past the file's \(fileSize) bytes")
        var names = Set<String>()
        var cursor: UInt64 = 0
        for tensor in header.tensors {
            invariant(!tensor.name.isEmpty && tensor.name != "__metadata__", "accepted tensor name \"\(tensor.name)\"")
            invariant(names.insert(tensor.name).inserted, "tensor \"\(tensor.name)\" accepted twice")
            invariant(tensor.dataRange.lowerBound == cursor, "\"\(tensor.name)\" begins at \(tensor.dataRange.lowerBound), not \(cursor)")
            invariant(tensor.dtype.byteCount(shape: tensor.shape) == tensor.byteCount, "\"\(tensor.name)\" has \(tensor.byteCount) bytes for its shape")
            cursor = tensor.dataRange.upperBound
        }
        invariant(cursor == fileSize - header.dataStart, "tensors end at \(cursor), the data section holds \(fileSize - header.dataStart)")
        var keys = Set<String>()
        for (key, _) in header.metadata {
            invariant(keys.insert(key).inserted, "metadata key \"\(key)\" accepted twice")
        }
    }

    /// What the reader accepted, written by `ShardLayout` as one shard, must
    /// read back as the same tensors.
    static func checkWriterRoundTrip(_ header: SafeTensorsHeader) {
        let tensors = header.tensors.map { OutputTensor(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
        let shards: [ShardLayout]
        do {
            shards = try ShardLayout.plan(tensors: tensors, shardSizeLimit: .max)
        } catch {
            invariant(false, "the writer refused tensors the reader accepted: \(error)")
            return
        }
        invariant(shards.count == 1, "one shard expected, planned \(shards.count)")
        guard let shard = shards.first else { return }
        let reread: SafeTensorsHeader
        do {
            reread = try shard.header.withUnsafeBytes { bytes throws(CheckpointError) in
                let json = UnsafeRawBufferPointer(rebasing: bytes[8...])
                return try SafeTensorsHeader.parse(file: shard.fileName, headerBytes: json, dataSize: shard.fileSize - UInt64(bytes.count))
            }
        } catch {
            invariant(false, "the reader refused the writer's header: \(error)")
            return
        }
        // Zero-length tensors share an offset, so their order may differ; compare sorted, byte for byte.
        func summary(_ tensors: [TensorEntry]) -> [[UInt8]] {
            tensors.map { Array("\($0.name)\0\($0.dtype.rawValue) \($0.shape) \($0.byteCount)".utf8) }
                .sorted { $0.lexicographicallyPrecedes($1) }
        }
        invariant(summary(reread.tensors) == summary(header.tensors), "tensors changed on the way through the writer")
    }
}
