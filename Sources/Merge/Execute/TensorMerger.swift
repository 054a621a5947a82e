import Base
import Checkpoint
import Dispatch
import Synchronization

/// Merges a plan's tensors one at a time into memory, for callers that use
/// the merged weights directly instead of writing a checkpoint (Evolve
/// scores a candidate merge in process). A tensor's bytes are exactly what
/// `smelt merge` of the same plan writes for it: the same reduction passes
/// and kernels, encoded to the output dtype; chunk sizes and threads change
/// nothing (DESIGN.md, principle 4).
public final class TensorMerger: Sendable {
    public let plan: MergePlan
    let settings: ExecutionSettings
    let pool: ChunkBufferPool
    /// Each tensor's index in the plan, by output name.
    let indexes: [String: Int]

    /// `budget` is drawn on for the workers' buffers and reduction state
    /// (as a merge's are); `spillFolder` takes reduction sums too large for
    /// an eighth of it.
    public init(plan: MergePlan, threads: Int, budget: ByteBudget, spillFolder: String?) {
        self.plan = plan
        var options = MergeOptions(memoryBudget: budget.limitBytes, threads: threads)
        options.plan = plan.settings
        let memory = MemoryEstimate(plan: plan, options: options)
        var settings = ExecutionSettings(
            threads: threads, chunkElementCount: memory.chunkElementCount, window: memory.window)
        settings.budget = budget
        settings.spillFolder = spillFolder
        settings.workingMemory = plan.method.workingMemory
        settings.reductionSumsLimitBytes = max(1 << 20, budget.limitBytes / 8)
        self.settings = settings
        pool = ChunkBufferPool(threads: threads, budget: budget, working: plan.method.workingMemory)
        indexes = Dictionary(plan.tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The index in the plan of the output tensor named `name`.
    public func index(of name: String) -> Int? { indexes[name] }

    /// Merges the plan's tensor `index` into `bytes`, which hold exactly
    /// its `byteCount` bytes.
    public func merge(_ index: Int, into bytes: UnsafeMutableRawBufferPointer) throws {
        let tensor = plan.tensors[index]
        let prepared = try MergeExecutor.prepare(tensor, index: index, settings: settings, pool: pool)
        let chunks = prepared.chunks
        let perUnit = prepared.outputBytesPerUnit
        let output = DisjointSlots(
            buffer: UnsafeMutableBufferPointer(
                start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
        let largestChunk = prepared.kernel == nil ? 0 : chunks.map(\.count).max() ?? 0
        let sourceCount = tensor.sources.count
        let next = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)
        let pool = self.pool
        DispatchQueue.concurrentPerform(iterations: max(1, min(settings.threads, chunks.count))) { _ in
            do {
                let lent = try LentChunkBuffers(pool, chunkElementCount: largestChunk, sourceCount: sourceCount)
                while failure.withLock({ $0 == nil }) {
                    let chunkIndex = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard chunkIndex < chunks.count else { return }
                    let range = chunks[chunkIndex]
                    let slot = UnsafeMutableRawBufferPointer(
                        rebasing: UnsafeMutableRawBufferPointer(output.buffer)[
                            range.lowerBound * perUnit..<range.upperBound * perUnit])
                    try MergeExecutor.compute(
                        prepared, chunkIndex: chunkIndex, range: range, buffers: lent.buffers, into: slot,
                        decodesInPieces: true)
                }
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
