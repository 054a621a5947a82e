import Base
import Synchronization

/// Streams every tensor of a conversion plan into the staged output, chunk
/// by chunk: each worker decodes a chunk's blocks to Float32, transforms
/// it and encodes it in the output dtype; chunks retire in file order, are
/// hashed in order (the tensor digests), written past the page cache and
/// journaled. Chunks that an interrupted run staged and a resume checked
/// are read back and re-checked instead of computed.
enum ConversionExecutor {
    /// What a run did: each tensor's XXH3-64 and the bytes it computed.
    struct Report {
        var digests: [String: UInt64] = [:]
        var computedBytes: UInt64 = 0
    }

    /// One chunk of one tensor.
    struct WorkItem: Sendable {
        let tensor: Int
        let range: Range<Int>
        let isLastOfTensor: Bool
        /// The kept chunk's digest, when an interrupted run staged it.
        let keptDigest: UInt64?
    }

    static func run(
        _ plan: GGUFConversionPlan, file: GGUFFile, memory: ConversionMemory, into writer: CheckpointWriter,
        budget: ByteBudget, staged: StagedWork, journal: StagingJournal, stop: StopRequest?, report: inout Report,
        progress: (UInt64) -> Void
    ) throws {
        var items: [WorkItem] = []
        for (index, tensor) in plan.tensors.enumerated() {
            if let digest = staged.completeTensors[index] {
                report.digests[tensor.name] = digest
                progress(tensor.byteCount)
                continue
            }
            let chunks = memory.chunks[index]
            if chunks.isEmpty {
                report.digests[tensor.name] = XXH3.digest([])
                journal.recordTensor(tensorIndex: index, byteCount: 0, digest: XXH3.digest([]))
            }
            let bytesPerElement = UInt64(tensor.dtype.bitsPerElement / 8)
            for (chunkIndex, range) in chunks.enumerated() {
                let chunk = StagedWork.Chunk(
                    byteOffset: UInt64(range.lowerBound) * bytesPerElement,
                    byteCount: UInt64(range.count) * bytesPerElement)
                items.append(
                    WorkItem(
                        tensor: index, range: range, isLastOfTensor: chunkIndex == chunks.count - 1,
                        keptDigest: staged.digest(tensorIndex: index, chunk: chunk)))
            }
        }
        let streamReservation = try reserve(memory.outputStreamBytes, from: budget, purpose: "the output blocks")
        defer { _ = streamReservation.bytes }  // held until the output blocks are freed
        let output = SequentialShardWriter(
            writer: writer, blockBytes: memory.outputBlockBytes, blockCount: ConversionMemory.outputBlockCount)
        do {
            try runPipeline(
                items, plan: plan, file: file, memory: memory, output: output, budget: budget, journal: journal,
                stop: stop, report: &report, progress: progress)
            try output.finish()
        } catch {
            // Chunks already retired (and journaled) still reach the disk, so
            // a run stopped by a signal or a failure resumes from them.
            try? output.finish()
            throw error
        }
    }

    private static func runPipeline(
        _ items: [WorkItem], plan: GGUFConversionPlan, file: GGUFFile, memory: ConversionMemory,
        output: SequentialShardWriter, budget: ByteBudget, journal: StagingJournal, stop: StopRequest?,
        report: inout Report, progress: (UInt64) -> Void
    ) throws {
        guard !items.isEmpty else { return }
        let window = max(1, min(memory.window, items.count))
        let slotReservation = try reserve(
            UInt64(window) * UInt64(max(1, memory.slotBytes)), from: budget, purpose: "the output chunks in flight")
        defer { _ = slotReservation.bytes }  // held until the pipeline's slots are freed
        let workers = Mutex(try workerBuffers(count: min(memory.threads, items.count), memory: memory, budget: budget))
        let workerCount = workers.withLock { $0.count }
        let writer = output.writer
        let tensors = plan.tensors
        let hasher = XXH3Hasher()
        try runOrderedPipeline(
            chunkCount: items.count, threads: workerCount, window: window, slotBytes: memory.slotBytes,
            // checked: the pipeline starts one worker per set (threads = workerCount <= items.count)
            makeState: { workers.withLock { $0.popLast()! } },
            produce: { index, buffers, slot in
                try stop?.check()
                return try produce(
                    items[index], tensors: tensors, file: file, buffers: buffers, slot: slot, writer: writer)
            },
            retired: { index, bytes, chunkDigest in
                FaultInjection.delayPoint("chunk.retired")
                hasher.update(bytes)
                progress(UInt64(bytes.count))
                let item = items[index]
                let tensor = tensors[item.tensor]
                let byteOffset = UInt64(item.range.lowerBound) * UInt64(tensor.dtype.bitsPerElement / 8)
                if item.keptDigest == nil {
                    try output.append(tensor: tensor.name, offset: byteOffset, bytes: bytes)
                    report.computedBytes += UInt64(bytes.count)
                    try journal.recordChunk(
                        tensorIndex: item.tensor, byteOffset: byteOffset, byteCount: UInt64(bytes.count),
                        digest: chunkDigest)
                }
                if item.isLastOfTensor {
                    let digest = hasher.finalize()
                    report.digests[tensor.name] = digest
                    journal.recordTensor(tensorIndex: item.tensor, byteCount: tensor.byteCount, digest: digest)
                    hasher.reset()
                }
            })
    }

    /// Computes one chunk into `slot`, or reads a kept chunk back from the
    /// staged output and checks it once more (the bytes the tensor digest
    /// is made of are the bytes checked). Returns the byte count and the
    /// chunk's own XXH3-64.
    private static func produce(
        _ item: WorkItem, tensors: [ConvertedTensor], file: GGUFFile, buffers: ConversionBuffers,
        slot: UnsafeMutableRawBufferPointer, writer: CheckpointWriter
    ) throws -> ProducedChunk {
        let tensor = tensors[item.tensor]
        let bytesPerElement = tensor.dtype.bitsPerElement / 8
        let bytes = UnsafeMutableRawBufferPointer(rebasing: slot[0..<item.range.count * bytesPerElement])
        let byteOffset = UInt64(item.range.lowerBound * bytesPerElement)
        if let kept = item.keptDigest {
            try writer.read(tensor: tensor.name, offset: byteOffset, into: bytes)
            let digest = XXH3.digest(UnsafeRawBufferPointer(bytes))
            guard digest == kept else {
                throw ConvertError.stagedOutputChanged(tensor: tensor.name, byteOffset: byteOffset)
            }
            return ProducedChunk(byteCount: bytes.count, tag: digest)
        }
        let values = UnsafeMutableBufferPointer(rebasing: buffers.values[0..<item.range.count])
        try file.decode(tensor: tensor.sourceIndex, elements: item.range, into: values, scratch: buffers.scratch)
        let result = tensor.transform.apply(values, shape: tensor.shape, scratch: buffers.transformed)
        _ = tensor.dtype.encode(result, into: bytes)  // checked: the command allows only bf16, f16 and f32
        return ProducedChunk(byteCount: bytes.count, tag: XXH3.digest(UnsafeRawBufferPointer(bytes)))
    }

    /// Buffers for up to `count` workers: as many as the budget holds
    /// beside what the run already reserved (at least one, or the budget
    /// is too small for the work).
    private static func workerBuffers(
        count: Int, memory: ConversionMemory, budget: ByteBudget
    ) throws(ByteBudgetError) -> [ConversionBuffers] {
        var buffers: [ConversionBuffers] = []
        for _ in 0..<count {
            guard let reservation = budget.tryReserve(memory.workerBytes, purpose: "a worker's buffers") else { break }
            buffers.append(ConversionBuffers(memory: memory, reservation: reservation))
        }
        guard !buffers.isEmpty else {
            throw ByteBudgetError(
                purpose: "a worker's buffers", requestedBytes: memory.workerBytes, limitBytes: budget.limitBytes,
                heldBytes: budget.reservedBytes)
        }
        return buffers
    }

    private static func reserve(
        _ bytes: UInt64, from budget: ByteBudget, purpose: String
    ) throws(ByteBudgetError) -> ByteReservation {
        guard let reservation = budget.tryReserve(bytes, purpose: purpose) else {
            throw ByteBudgetError(
                purpose: purpose, requestedBytes: bytes, limitBytes: budget.limitBytes, heldBytes: budget.reservedBytes)
        }
        return reservation
    }
}
