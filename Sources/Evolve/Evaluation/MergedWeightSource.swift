import Base
import Checkpoint
import Merge
import Model
import Synchronization

/// The weights of a candidate merge, merged tensor by tensor when the
/// forward pass first asks for them (DESIGN.md, "Layers": the source that
/// merges a layer on the fly). A merged tensor is kept, in its output
/// dtype, while `cacheLimitBytes` allows, so later forward batches and the
/// embedding's row-by-row reads do not merge it again; past the limit
/// (never below the largest tensor) the tensors asked for longest ago are
/// dropped and merged again if needed.
/// The bytes decoded are exactly those `smelt merge` would write, so a
/// score through this source equals `smelt score` of the written merge.
final class MergedWeightSource: LayerWeightSource {
    let name: String
    let merger: TensorMerger
    let cacheLimitBytes: UInt64
    private let cache = Mutex(Cache())
    /// One merge at a time, with every thread: the forward pass asks for a
    /// layer's tensors from several workers at once.
    private let merging = Mutex(())

    /// Merged bytes of one tensor.
    /// @unchecked Sendable: a read-only view once shared (the merge writes
    /// the bytes before the entry leaves `entry(_:)`).
    final class Entry: @unchecked Sendable {
        let bytes: UnsafeMutableRawBufferPointer

        init(byteCount: Int) {
            bytes = .allocate(byteCount: max(1, byteCount), alignment: 64)
        }

        deinit { bytes.deallocate() }
    }

    struct Cache {
        var entries: [Int: Entry] = [:]
        /// Tensor indexes, least recently asked for first.
        var order: [Int] = []
        var heldBytes: UInt64 = 0
        var mergedCount = 0
    }

    init(name: String, merger: TensorMerger, cacheLimitBytes: UInt64) {
        self.name = name
        self.merger = merger
        self.cacheLimitBytes = cacheLimitBytes
    }

    /// Tensors merged so far (a tensor merged again after being dropped counts again).
    var mergedTensorCount: Int { cache.withLock { $0.mergedCount } }

    func shape(of tensor: String) -> [Int]? {
        merger.index(of: tensor).map { merger.plan.tensors[$0].shape.map { Int($0) } }
    }

    func decode(_ tensor: String, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let index = merger.index(of: tensor) else {
            throw ModelError.missingTensor(model: name, tensor: tensor)
        }
        let dtype = merger.plan.tensors[index].outputDType
        let width = dtype.bitsPerElement / 8
        let entry = try entry(index)
        let raw = UnsafeRawBufferPointer(
            rebasing: entry.bytes[elements.lowerBound * width..<elements.upperBound * width])
        // checked: the planner only plans float output dtypes, which always decode
        _ = dtype.decode(raw, into: destination)
    }

    private func entry(_ index: Int) throws -> Entry {
        if let entry = cached(index) { return entry }
        return try merging.withLock { _ in
            if let entry = cached(index) { return entry }
            let byteCount = merger.plan.tensors[index].byteCount
            // Room first, so the cache never holds more than its limit.
            cache.withLock { cache in
                while !cache.order.isEmpty && cache.heldBytes + byteCount > cacheLimitBytes {
                    let dropped = cache.order.removeFirst()
                    if let old = cache.entries.removeValue(forKey: dropped) {
                        cache.heldBytes -= UInt64(old.bytes.count)
                    }
                }
            }
            let entry = Entry(byteCount: Int(byteCount))
            try merger.merge(index, into: entry.bytes)
            cache.withLock { cache in
                cache.mergedCount += 1
                cache.entries[index] = entry
                cache.order.append(index)
                cache.heldBytes += byteCount
            }
            return entry
        }
    }

    private func cached(_ index: Int) -> Entry? {
        cache.withLock { cache in
            guard let entry = cache.entries[index] else { return nil }
            if let position = cache.order.firstIndex(of: index) {
                cache.order.remove(at: position)
                cache.order.append(index)
            }
            return entry
        }
    }
}
