import Base
import Checkpoint

/// How a run fits its memory budget: the chunk size and the number of
/// chunks in flight, chosen so that every worker's buffers, the in-flight
/// output chunks and the reduction state stay within the budget.
public struct MemoryEstimate: Sendable {
    public let budgetBytes: UInt64
    public let chunkElementCount: Int
    public let window: Int
    /// The output stream's blocks (`SequentialShardWriter`): four of a
    /// 32nd of the budget each, between 64 KiB and 8 MiB.
    public let outputBlockBytes: Int
    public static let outputBlockCount = 4
    /// Peak bytes the buffers take at that chunk size, at most the budget
    /// (the program itself comes on top).
    public let peakBytes: UInt64
    /// The program itself: its resident memory when the plan was made
    /// (code, libraries, the plan, headers), measured, not guessed.
    public let programBytes: UInt64
    /// The peak resident memory to expect: buffers plus the program.
    public var estimatedResidentBytes: UInt64 { peakBytes + programBytes }

    /// 256 Ki elements: 1 MiB of Float32 per source.
    static let preferredChunkElementCount = 1 << 18

    /// Bytes per chunk element a worker holds: a raw read buffer (8), one
    /// Float32 per source (4 each), the Float32 output (4), and the scratch
    /// the method declares (`WorkingMemory`: for a selection, per-model
    /// Float32 contributions, keys and masks, 4 per model + 9).
    static func workerBytesPerElement(sourceCount: Int, working: WorkingMemory) -> Int {
        8 + 4 * sourceCount + 4 + working.scratchBytesPerElement(modelCount: sourceCount)
    }

    init(plan: MergePlan, options: MergeOptions) {
        let sourceCount = plan.tensors.map(\.sources.count).max() ?? 1
        let outputBytes = plan.tensors.map { $0.outputDType.bitsPerElement / 8 }.max() ?? 4
        let working = plan.method.workingMemory
        let histograms = UInt64(working.histogramCount(modelCount: sourceCount) * histogramBinCount * 8)
        let threads = options.threads
        window = 2 * threads
        let perElement =
            threads * Self.workerBytesPerElement(sourceCount: sourceCount, working: working) + window * outputBytes
        outputBlockBytes =
            Int(min(8 << 20, max(64 << 10, options.memoryBudget / 32))) / SequentialShardWriter.alignment
            * SequentialShardWriter.alignment
        let fixed =
            UInt64(threads) * histograms + (4 << 20)
            + SequentialShardWriter.memoryBytes(blockBytes: outputBlockBytes, blockCount: Self.outputBlockCount)
        budgetBytes = options.memoryBudget
        var chunk: Int
        if let bytes = options.chunkBytes {
            chunk = Int(bytes / 4)
        } else {
            // Large enough that per-chunk costs (a few syscalls, two
            // semaphores) vanish, small enough that a chunk's buffers stay
            // in the CPU caches between decoding, merging and encoding.
            let usable = options.memoryBudget > fixed ? options.memoryBudget - fixed : 0
            chunk = min(Self.preferredChunkElementCount, Int(usable / UInt64(max(1, perElement))))
        }
        chunk = max(reductionBlockElementCount, chunk / reductionBlockElementCount * reductionBlockElementCount)
        let largest = plan.tensors.map(\.elementCount).max() ?? 0
        chunk = min(
            chunk,
            max(
                reductionBlockElementCount,
                (largest + reductionBlockElementCount - 1) / reductionBlockElementCount * reductionBlockElementCount))
        chunkElementCount = chunk
        // A chunk of a method that works on whole rows spans whole rows
        // and whole reduction blocks (`chunkRanges`), so it can be larger
        // than `chunk`: the buffers are as large as the largest real chunk.
        var largestChunk = chunk
        for tensor in plan.tensors {
            guard case .merge(let method, let context, _, _) = tensor.work else { continue }
            let ranges = chunkRanges(
                elementCount: tensor.elementCount, preferredChunkElementCount: chunk, rowLength: context.rowLength,
                needsWholeRows: method.makeKernel(context).needsWholeRows,
                encodingBlockElementCount: tensor.sources.map(\.blockElementCount).max() ?? 1)
            largestChunk = max(largestChunk, ranges.map(\.count).max() ?? 0)
        }
        // Every buffer is drawn from the budget (`ByteBudget`): when the
        // workers' buffers would need more (many threads, or the smallest
        // chunks of a row-wise method), workers wait, and the buffers never
        // hold more than the budget.
        peakBytes = min(UInt64(largestChunk) * UInt64(perElement) + fixed, options.memoryBudget)
        programBytes = ProcessMemory.residentBytes ?? 0
    }
}
