import Base
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
    /// Checked before every chunk: a requested stop ends the run with
    /// `StopRequested` after the chunks already retired.
    public var stop: StopRequest?
    /// Where reduction passes spill block sums larger than
    /// `reductionSumsLimitBytes` (nil: always in memory).
    public var spillFolder: String?
    public var reductionSumsLimitBytes: UInt64 = 64 << 20
    /// The blocks output bytes are gathered in, in file order, and written
    /// past the page cache (`SequentialShardWriter`).
    public var outputBlockBytes = 8 << 20
    public var outputBlockCount = MemoryEstimate.outputBlockCount
    /// Whether kernels that can take chunks still encoded and decode them
    /// a piece at a time get them so (`TensorKernel.decodesInPieces`).
    /// Output bytes are the same either way.
    public var decodesInPieces = true
    /// Whether a merged tensor may hold NaNs or infinities that its inputs
    /// do not (`NonFiniteGuard`); off, such a chunk stops the run.
    public var allowsNonFinite = false
    /// Gets the input bytes of every chunk a reduction pass finishes, from
    /// any worker: the passes before a tensor's output, which a progress
    /// bar of output bytes would not show.
    public var reductionProgress: (@Sendable (UInt64) -> Void)?
    /// The account every buffer of the run is drawn from (worker buffers,
    /// histograms, block sums, in-flight output chunks, output blocks);
    /// unlimited unless a run sets one.
    public var budget = ByteBudget(limitBytes: .max)
    /// What the method's kernels use beyond the worker buffers, charged to
    /// each worker's set.
    public var workingMemory = WorkingMemory.elementwise

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
    /// The tensor's index in the plan, as the journal names it.
    let index: Int
    /// Nil for a copy, and for a merge whose chunks are all kept from an
    /// interrupted run (no reduction pass needed to re-read them).
    let kernel: (any TensorKernel)?
    let chunks: [Range<Int>]
    /// Digests of the chunks (by chunk index) kept from an interrupted
    /// run: their staged bytes are read back, not computed.
    let keptChunks: [Int: UInt64]

    /// Output bytes per unit of a chunk's range: a copy's chunks count
    /// bytes, a merge's count elements.
    var outputBytesPerUnit: Int {
        if case .copy = tensor.work { return 1 }
        return tensor.outputDType.bitsPerElement / 8
    }
}

/// What the executor did: each tensor's XXH3-64, and how many output
/// bytes it computed (not kept from an interrupted run).
public struct ExecutionReport: Sendable {
    public var digests: [String: UInt64] = [:]
    public var computedBytes: UInt64 = 0
}

/// Streams every planned tensor through its method chunk by chunk into the
/// staged output (DESIGN.md, "Data flow of a merge"): for a batch of
/// tensors, each tensor's reduction passes, then one elementwise pass over
/// all the batch's chunks, hashed in order and written in file order past
/// the page cache. Consecutive tensors share the pipeline, so small tensors do not
/// leave workers idle.
public enum MergeExecutor {
    /// Runs `tensors` (the plan's, in order) into `writer`. Tensors and
    /// chunks that `staged` kept from an interrupted run are not computed
    /// again; every computed chunk and finished tensor is recorded in
    /// `journal`. `progress` gets the bytes of every finished output chunk.
    static func run(
        _ tensors: [PlannedTensor], into writer: CheckpointWriter, settings: ExecutionSettings,
        staged: StagedWork = StagedWork(), journal: StagingJournal? = nil, progress: (UInt64) -> Void = { _ in }
    ) throws -> ExecutionReport {
        var report = ExecutionReport()
        try run(
            tensors, into: writer, settings: settings, staged: staged, journal: journal, report: &report,
            progress: progress)
        return report
    }

    /// As above, filling `report` as chunks retire, so a run that stops
    /// part-way still says what it did.
    static func run(
        _ tensors: [PlannedTensor], into writer: CheckpointWriter, settings: ExecutionSettings,
        staged: StagedWork, journal: StagingJournal?, report: inout ExecutionReport, progress: (UInt64) -> Void
    ) throws {
        let pool = ChunkBufferPool(threads: settings.threads, budget: settings.budget, working: settings.workingMemory)
        let outputReservation = try pool.reserveBetweenPasses(
            SequentialShardWriter.memoryBytes(blockBytes: settings.outputBlockBytes, blockCount: settings.outputBlockCount),
            purpose: "the output blocks")
        let output = SequentialShardWriter(
            writer: writer, blockBytes: settings.outputBlockBytes, blockCount: settings.outputBlockCount)
        defer { _ = outputReservation.bytes }  // held until the output blocks are freed
        do {
            var batch: [PreparedTensor] = []
            var batchBytes: UInt64 = 0
            for (index, tensor) in tensors.enumerated() {
                if let digest = staged.completeTensors[index] {
                    report.digests[tensor.name] = digest
                    progress(tensor.byteCount)
                    continue
                }
                batch.append(try prepare(tensor, index: index, staged: staged, settings: settings, pool: pool))
                batchBytes += tensor.sources.reduce(0) { $0 + $1.byteCount }
                if batchBytes >= settings.batchInputBytes {
                    try runFinalPass(
                        batch, into: output, settings: settings, pool: pool, journal: journal, report: &report,
                        progress: progress)
                    batch = []
                    batchBytes = 0
                }
            }
            try runFinalPass(
                batch, into: output, settings: settings, pool: pool, journal: journal, report: &report,
                progress: progress)
            try output.finish()
        } catch {
            // Chunks already retired (and journaled) still reach the disk, so
            // a run stopped by a signal or a failure resumes from them.
            try? output.finish()
            throw error
        }
    }

    /// Runs a tensor's reduction passes, unless every chunk is kept.
    static func prepare(
        _ tensor: PlannedTensor, index: Int, staged: StagedWork = StagedWork(), settings: ExecutionSettings,
        pool: ChunkBufferPool? = nil
    ) throws -> PreparedTensor {
        func kept(_ chunks: [Range<Int>], bytesPerUnit: Int) -> [Int: UInt64] {
            var kept: [Int: UInt64] = [:]
            for (chunkIndex, chunk) in chunks.enumerated() {
                let range = StagedWork.Chunk(
                    byteOffset: UInt64(chunk.lowerBound * bytesPerUnit), byteCount: UInt64(chunk.count * bytesPerUnit))
                if let digest = staged.digest(tensorIndex: index, chunk: range) { kept[chunkIndex] = digest }
            }
            return kept
        }
        switch tensor.work {
        case .copy:
            let byteCount = Int(tensor.byteCount)
            // As many elements per chunk as a merge, so its in-flight slots
            // take what the memory estimate charges.
            let chunkBytes = settings.chunkElementCount * max(1, tensor.outputDType.bitsPerElement / 8)
            let chunks = stride(from: 0, to: byteCount, by: chunkBytes).map { $0..<min(byteCount, $0 + chunkBytes) }
            return PreparedTensor(
                tensor: tensor, index: index, kernel: nil, chunks: chunks, keptChunks: kept(chunks, bytesPerUnit: 1))
        case .merge(let method, let context, let base, let models):
            var kernel = method.makeKernel(context)
            if let folder = settings.spillFolder { kernel.useSpillFolder(folder) }
            let chunks = chunkRanges(
                elementCount: tensor.elementCount, preferredChunkElementCount: settings.chunkElementCount,
                rowLength: context.rowLength, needsWholeRows: kernel.needsWholeRows,
                encodingBlockElementCount: tensor.sources.map(\.blockElementCount).max() ?? 1)
            let keptChunks = kept(chunks, bytesPerUnit: tensor.outputDType.bitsPerElement / 8)
            if keptChunks.count == chunks.count {
                return PreparedTensor(tensor: tensor, index: index, kernel: nil, chunks: chunks, keptChunks: keptChunks)
            }
            while let request = kernel.nextReduction() {
                let totals = try runReductionPass(
                    kernel, request: request, tensor: tensor, base: base, models: models, chunks: chunks,
                    threads: settings.threads, stop: settings.stop,
                    spillFolder: settings.spillFolder, sumsLimitBytes: settings.reductionSumsLimitBytes,
                    progress: settings.reductionProgress,
                    decodesInPieces: settings.decodesInPieces, pool: pool)
                kernel.finishReduction(totals)
            }
            return PreparedTensor(tensor: tensor, index: index, kernel: kernel, chunks: chunks, keptChunks: keptChunks)
        }
    }

    static func runFinalPass(
        _ batch: [PreparedTensor], into output: SequentialShardWriter, settings: ExecutionSettings,
        pool: ChunkBufferPool, journal: StagingJournal?, report: inout ExecutionReport, progress: (UInt64) -> Void
    ) throws {
        var items: [WorkItem] = []
        for (index, prepared) in batch.enumerated() {
            if prepared.chunks.isEmpty {
                report.digests[prepared.tensor.name] = XXH3.digest([])
                journal?.recordTensor(tensorIndex: prepared.index, byteCount: 0, digest: XXH3.digest([]))
            }
            for (chunkIndex, range) in prepared.chunks.enumerated() {
                items.append(
                    WorkItem(
                        tensor: index, range: range, chunkIndex: chunkIndex,
                        isLastOfTensor: chunkIndex == prepared.chunks.count - 1,
                        byteOffset: range.lowerBound * prepared.outputBytesPerUnit))
            }
        }
        let work = items
        // Worker buffers hold Float32 elements, so only merged tensors size them.
        let largestChunk = batch.filter { $0.kernel != nil }.flatMap { $0.chunks.map(\.count) }.max() ?? 0
        let slotBytes = items.map { $0.range.count * batch[$0.tensor].outputBytesPerUnit }.max() ?? 0
        let sourceCount = batch.map(\.tensor.sources.count).max() ?? 1
        let stop = settings.stop
        let writer = output.writer, decodesInPieces = settings.decodesInPieces
        let finiteness = settings.allowsNonFinite ? nil : NonFiniteGuard()
        let hasher = XXH3Hasher()
        let window = max(1, min(settings.window, items.count))
        let slotReservation = try pool.reserveBetweenPasses(
            UInt64(window) * UInt64(max(1, slotBytes)), purpose: "the output chunks in flight")
        defer { _ = slotReservation.bytes }  // held until the pipeline's slots are freed
        try runOrderedPipeline(
            chunkCount: items.count, threads: settings.threads, window: window, slotBytes: slotBytes,
            makeState: { Result { try LentChunkBuffers(pool, chunkElementCount: largestChunk, sourceCount: sourceCount) } },
            produce: { index, lent, slot in
                try stop?.check()
                return try produce(
                    work[index], batch: batch, buffers: try lent.get().buffers, slot: slot, writer: writer,
                    decodesInPieces: decodesInPieces, finiteness: finiteness)
            },
            retired: { index, bytes, chunkDigest in
                FaultInjection.delayPoint("chunk.retired")
                hasher.update(bytes)
                progress(UInt64(bytes.count))
                let item = items[index]
                let prepared = batch[item.tensor]
                if prepared.keptChunks[item.chunkIndex] == nil {
                    try output.append(tensor: prepared.tensor.name, offset: UInt64(item.byteOffset), bytes: bytes)
                    report.computedBytes += UInt64(bytes.count)
                    #if !SMELT_NO_JOURNAL
                    try journal?.recordChunk(
                        tensorIndex: prepared.index, byteOffset: UInt64(item.byteOffset),
                        byteCount: UInt64(bytes.count), digest: chunkDigest)
                    #endif
                }
                if item.isLastOfTensor {
                    let digest = hasher.finalize()
                    report.digests[prepared.tensor.name] = digest
                    journal?.recordTensor(
                        tensorIndex: prepared.index, byteCount: prepared.tensor.byteCount, digest: digest)
                    hasher.reset()
                }
            })
    }

    /// Computes one chunk into `slot` (the retiring thread appends it to the
    /// output in file order), or reads a kept chunk back from the staged
    /// output (and checks it once more: the bytes the tensor digest is made
    /// of are the bytes checked). Either way `finiteness`, when given,
    /// refuses a chunk with a NaN or an infinity its inputs do not explain.
    /// Returns the byte count and the chunk's own XXH3-64, hashed here on
    /// the worker while the bytes are in its cache.
    static func produce(
        _ item: WorkItem, batch: [PreparedTensor], buffers: ChunkBuffers, slot: UnsafeMutableRawBufferPointer,
        writer: CheckpointWriter, decodesInPieces: Bool, finiteness: NonFiniteGuard? = nil
    ) throws -> ProducedChunk {
        let prepared = batch[item.tensor]
        let tensor = prepared.tensor
        let bytes = UnsafeMutableRawBufferPointer(rebasing: slot[0..<item.range.count * prepared.outputBytesPerUnit])
        if let kept = prepared.keptChunks[item.chunkIndex] {
            try writer.read(tensor: tensor.name, offset: UInt64(item.byteOffset), into: bytes)
            let digest = XXH3.digest(UnsafeRawBufferPointer(bytes))
            guard digest == kept else {
                throw MergeError.stagedOutputChanged(tensor: tensor.name, byteOffset: UInt64(item.byteOffset))
            }
            // A run with --allow-non-finite may have staged it.
            try finiteness?.check(
                UnsafeRawBufferPointer(bytes), of: item, in: prepared, stagingPath: writer.stagingPath)
            return ProducedChunk(byteCount: bytes.count, tag: digest)
        }
        try compute(
            prepared, chunkIndex: item.chunkIndex, range: item.range, buffers: buffers, into: bytes,
            decodesInPieces: decodesInPieces)
        // After encoding: a value too large for the output dtype becomes an infinity there.
        if case .merge = tensor.work {
            try finiteness?.check(
                UnsafeRawBufferPointer(bytes), of: item, in: prepared, stagingPath: writer.stagingPath)
        }
        #if SMELT_NO_JOURNAL
        // Benchmark build only (tools/bench-journal.sh): what a run costs without the journal.
        return ProducedChunk(byteCount: bytes.count)
        #else
        return ProducedChunk(byteCount: bytes.count, tag: XXH3.digest(UnsafeRawBufferPointer(bytes)))
        #endif
    }

    /// Computes one chunk of a prepared tensor into `bytes`: a copy's raw
    /// bytes, or the kernel's output encoded to the output dtype.
    static func compute(
        _ prepared: PreparedTensor, chunkIndex: Int, range: Range<Int>, buffers: ChunkBuffers,
        into bytes: UnsafeMutableRawBufferPointer, decodesInPieces: Bool
    ) throws {
        let tensor = prepared.tensor
        switch tensor.work {
        case .copy(let source):
            try source.reader.readRawBytes(
                ofTensor: source.tensorIndex, UInt64(range.lowerBound)..<UInt64(range.upperBound), into: bytes)
        case .merge(_, _, let base, let models):
            // A merge has no kernel only when every chunk is kept, and kept chunks are read back instead.
            guard let kernel = prepared.kernel else {
                throw MergeError.stagedOutputChanged(
                    tensor: tensor.name, byteOffset: UInt64(range.lowerBound * prepared.outputBytesPerUnit))
            }
            let input = try buffers.load(
                tensor, base: base, models: models, chunkIndex: chunkIndex, range: range,
                encoded: kernel.decodesInPieces && decodesInPieces)
            let output = UnsafeMutableBufferPointer(rebasing: buffers.output[0..<range.count])
            kernel.merge(input, into: output)
            guard tensor.outputDType.encode(UnsafeBufferPointer(output), into: bytes) else {
                throw MergeError.unencodableOutput(tensor: tensor.name, dtype: tensor.outputDType.rawValue)
            }
        }
    }
}
