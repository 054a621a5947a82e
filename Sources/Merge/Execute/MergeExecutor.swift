import Checkpoint

/// How the executor spends threads and memory. None of it changes a byte
/// of the output (DESIGN.md, principle 4).
public struct ExecutionSettings: Sendable {
    public var threads: Int
    /// Preferred elements per chunk; rounded to whole reduction blocks
    /// (and whole rows for methods that need them).
    public var chunkElementCount: Int
    /// Chunks in flight at once in the final pass.
    public var window: Int
    /// Input bytes of the tensors prepared (reduction passes run) ahead of
    /// their final pass: bounded, so the final pass re-reads inputs that
    /// the page cache still holds.
    public var batchInputBytes: UInt64 = 1 << 30

    public init(threads: Int, chunkElementCount: Int, window: Int) {
        self.threads = max(1, threads)
        self.chunkElementCount = max(reductionBlockElementCount, chunkElementCount)
        self.window = max(1, window)
    }
}

/// One unit of the final pass: a chunk of one output tensor.
struct WorkItem: Sendable {
    let tensor: Int
    /// Elements (bytes for a copy) of the chunk.
    let range: Range<Int>
    let chunkIndex: Int
    let isLastOfTensor: Bool
    /// Where the chunk's output starts inside the tensor's bytes.
    let byteOffset: Int
}

/// A tensor ready for its final pass: the kernel has its statistics.
struct PreparedTensor: Sendable {
    let tensor: PlannedTensor
    let kernel: (any TensorKernel)?
    let chunks: [Range<Int>]

    /// Output bytes per unit of a chunk's range: a copy's chunks count
    /// bytes, a merge's count elements.
    var outputBytesPerUnit: Int { kernel == nil ? 1 : tensor.outputDType.bitsPerElement / 8 }
}

/// Streams every planned tensor through its method chunk by chunk into the
/// staged output (DESIGN.md, "Data flow of a merge"): for a batch of
/// tensors, each tensor's reduction passes, then one elementwise pass over
/// all the batch's chunks, written at their final offsets and hashed in
/// order. Consecutive tensors share the pipeline, so small tensors do not
/// leave workers idle.
public enum MergeExecutor {
    /// Runs `tensors` into `writer` and returns each tensor's XXH3-64.
    /// `progress` gets the bytes of every finished output chunk.
    public static func run(
        _ tensors: [PlannedTensor], into writer: CheckpointWriter, settings: ExecutionSettings,
        progress: (UInt64) -> Void = { _ in }
    ) throws -> [String: UInt64] {
        var digests: [String: UInt64] = [:]
        var batch: [PreparedTensor] = []
        var batchBytes: UInt64 = 0
        for tensor in tensors {
            batch.append(try prepare(tensor, settings: settings))
            batchBytes += tensor.sources.reduce(0) { $0 + $1.byteCount }
            if batchBytes >= settings.batchInputBytes {
                try runFinalPass(batch, into: writer, settings: settings, digests: &digests, progress: progress)
                batch = []
                batchBytes = 0
            }
        }
        try runFinalPass(batch, into: writer, settings: settings, digests: &digests, progress: progress)
        return digests
    }

    /// Runs a tensor's reduction passes.
    static func prepare(_ tensor: PlannedTensor, settings: ExecutionSettings) throws -> PreparedTensor {
        switch tensor.work {
        case .copy:
            let byteCount = Int(tensor.byteCount)
            let chunkBytes = settings.chunkElementCount * 4
            return PreparedTensor(tensor: tensor, kernel: nil, chunks: stride(from: 0, to: byteCount, by: chunkBytes).map { $0 ..< min(byteCount, $0 + chunkBytes) })
        case .merge(let method, let context, let base, let models):
            var kernel = method.makeKernel(context)
            let chunks = chunkRanges(
                elementCount: tensor.elementCount, preferredChunkElementCount: settings.chunkElementCount,
                rowLength: context.rowLength, needsWholeRows: kernel.needsWholeRows)
            while let request = kernel.nextReduction() {
                let totals = try runReductionPass(kernel, request: request, tensor: tensor, base: base, models: models, chunks: chunks, threads: settings.threads)
                kernel.finishReduction(totals)
            }
            return PreparedTensor(tensor: tensor, kernel: kernel, chunks: chunks)
        }
    }

    static func runFinalPass(
        _ batch: [PreparedTensor], into writer: CheckpointWriter, settings: ExecutionSettings,
        digests: inout [String: UInt64], progress: (UInt64) -> Void
    ) throws {
        var items: [WorkItem] = []
        for (index, prepared) in batch.enumerated() {
            if prepared.chunks.isEmpty { digests[prepared.tensor.name] = XXH3.digest([]) }
            for (chunkIndex, range) in prepared.chunks.enumerated() {
                items.append(WorkItem(
                    tensor: index, range: range, chunkIndex: chunkIndex, isLastOfTensor: chunkIndex == prepared.chunks.count - 1,
                    byteOffset: range.lowerBound * prepared.outputBytesPerUnit))
            }
        }
        let work = items
        // Worker buffers hold Float32 elements, so only merged tensors size them.
        let largestChunk = batch.filter { $0.kernel != nil }.flatMap { $0.chunks.map(\.count) }.max() ?? 0
        let slotBytes = items.map { $0.range.count * batch[$0.tensor].outputBytesPerUnit }.max() ?? 0
        let sourceCount = batch.map(\.tensor.sources.count).max() ?? 1
        let hasher = XXH3Hasher()
        var writeback = WritebackTracker()
        try runOrderedPipeline(
            chunkCount: items.count, threads: settings.threads, window: settings.window, slotBytes: slotBytes,
            makeState: { ChunkBuffers(chunkElementCount: largestChunk, sourceCount: sourceCount) },
            produce: { index, buffers, slot in try produce(work[index], batch: batch, buffers: buffers, slot: slot, writer: writer) },
            retired: { index, bytes in
                hasher.update(bytes)
                progress(UInt64(bytes.count))
                let item = items[index]
                if let placement = writer.placement(of: batch[item.tensor].tensor.name) {
                    writeback.retired(shard: placement.shardIndex, fileEnd: placement.fileRange.lowerBound + UInt64(item.byteOffset + bytes.count), writer: writer)
                }
                if item.isLastOfTensor {
                    digests[batch[item.tensor].tensor.name] = hasher.finalize()
                    hasher.reset()
                }
            })
    }

    /// Starts writeback of each 64 MiB the pipeline retires, in file order.
    struct WritebackTracker {
        static let stride: UInt64 = 64 << 20
        var shard = -1
        var start: UInt64 = 0

        mutating func retired(shard: Int, fileEnd: UInt64, writer: CheckpointWriter) {
            if shard != self.shard { self.shard = shard; start = 0 }
            guard fileEnd >= start + Self.stride else { return }
            // Only a hint: a failure here shows up at the final sync.
            try? writer.startWriteback(shard: shard, range: start..<fileEnd)
            start = fileEnd
        }
    }

    /// Computes one chunk into `slot`, writes it at its final offset, and
    /// returns its byte count.
    static func produce(_ item: WorkItem, batch: [PreparedTensor], buffers: ChunkBuffers, slot: UnsafeMutableRawBufferPointer, writer: CheckpointWriter) throws -> Int {
        let prepared = batch[item.tensor]
        let tensor = prepared.tensor
        let bytes = UnsafeMutableRawBufferPointer(rebasing: slot[0 ..< item.range.count * prepared.outputBytesPerUnit])
        switch tensor.work {
        case .copy(let source):
            try source.file.file.read(into: bytes, at: source.fileOffset + UInt64(item.range.lowerBound))
        case .merge(_, _, let base, let models):
            guard let kernel = prepared.kernel else { return 0 }
            let input = try buffers.load(tensor, base: base, models: models, chunkIndex: item.chunkIndex, range: item.range)
            let output = UnsafeMutableBufferPointer(rebasing: buffers.output[0..<item.range.count])
            kernel.merge(input, into: output)
            guard tensor.outputDType.encode(UnsafeBufferPointer(output), into: bytes) else {
                throw MergeError.incompatibleInputs(problem: "cannot store \(tensor.name) as \(tensor.outputDType.rawValue)")
            }
        }
        try writer.write(tensor: tensor.name, offset: UInt64(item.byteOffset), bytes: UnsafeRawBufferPointer(bytes))
        return bytes.count
    }
}
