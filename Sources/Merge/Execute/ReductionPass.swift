import Base
import Checkpoint
import Dispatch
import Synchronization

/// Hands workers disjoint ranges of one shared buffer.
/// @unchecked Sendable: every chunk writes only its own blocks' and its own
/// counters' slots, and the buffer is read only after all workers joined.
struct DisjointSlots<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
}

/// Runs one reduction pass of `kernel` over every chunk of a tensor, on up
/// to `threads` workers, and combines the results deterministically: block
/// sums in block order, histograms and counters as exact integers.
func runReductionPass(
    _ kernel: any TensorKernel, request: ReductionRequest, tensor: PlannedTensor,
    base: TensorSource?, models: [TensorSource], chunks: [Range<Int>], threads: Int, stop: StopRequest? = nil,
    spillFolder: String? = nil, sumsLimitBytes: UInt64 = .max, progress: (@Sendable (UInt64) -> Void)? = nil,
    decodesInPieces: Bool = true, pool: ChunkBufferPool? = nil
) throws -> ReductionTotals {
    let pool = pool ?? ChunkBufferPool(threads: threads)
    let blockCount = (tensor.elementCount + reductionBlockElementCount - 1) / reductionBlockElementCount
    // Block sums that would outgrow their share of the budget go to a spill file.
    let sumsBytes = UInt64(request.sumCount) * UInt64(blockCount) * 8
    let spill = spillFolder.flatMap { folder in
        sumsBytes > sumsLimitBytes ? BlockSumSpill(folder: folder, chunkCount: chunks.count) : nil
    }
    let sumsCapacity = spill == nil ? max(1, request.sumCount * blockCount) : 1
    let sumsReservation = try pool.reserveBetweenPasses(UInt64(sumsCapacity * 8), purpose: "a tensor's block sums")
    defer { _ = sumsReservation.bytes }  // held until the sums are freed
    let sums = DisjointSlots(buffer: UnsafeMutableBufferPointer<Double>.allocate(capacity: sumsCapacity))
    sums.buffer.initialize(repeating: 0)
    defer { sums.buffer.deallocate() }
    let counters = DisjointSlots(
        buffer: UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, request.counterCount * chunks.count)))
    counters.buffer.initialize(repeating: 0)
    defer { counters.buffer.deallocate() }
    let histogramTotals = Mutex([UInt64](repeating: 0, count: request.histogramCount * histogramBinCount))
    let failure = Mutex<(any Error)?>(nil)
    let nextChunk = Atomic<Int>(0)
    let chunks =
        request.sampleDivisor > 1
        ? chunks.map { RankSelection.sampledRange($0, divisor: request.sampleDivisor) } : chunks
    let largestChunk = chunks.map(\.count).max() ?? 0
    let sourceCount = (base == nil ? 0 : 1) + models.count
    let inputBitsPerElement = ((base.map { [$0] } ?? []) + models).reduce(0) { $0 + $1.dtype.bitsPerElement }

    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, chunks.count))) { _ in
        do { try work() } catch { failure.withLock { $0 = $0 ?? error } }
    }
    /// One worker: its buffers, histograms and block sums drawn from the
    /// budget, then chunks until none are left or one failed.
    @Sendable func work() throws {
        let blocksPerChunk = (largestChunk + reductionBlockElementCount - 1) / reductionBlockElementCount
        let histogramCount = max(1, request.histogramCount * histogramBinCount)
        let lent = try LentChunkBuffers(
            pool, chunkElementCount: largestChunk, sourceCount: sourceCount, histogramCount: histogramCount)
        let buffers = lent.buffers
        let histograms = buffers.histograms(count: histogramCount)
        // A few doubles per 65,536 elements: not worth a reservation.
        let localSums = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, request.sumCount * blocksPerChunk))
        defer { localSums.deallocate() }
        var spillFile: BlockSumSpill.WorkerFile?
        while failure.withLock({ $0 == nil }) {
            let index = nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < chunks.count else { break }
            do {
                try stop?.check()
                let chunk = try buffers.load(
                    tensor, base: base, models: models, chunkIndex: index, range: chunks[index],
                    encoded: kernel.decodesInPieces && decodesInPieces)
                let blocksInChunk = (chunks[index].count + reductionBlockElementCount - 1) / reductionBlockElementCount
                localSums.update(repeating: 0)
                let counterSlots = UnsafeMutableBufferPointer(
                    rebasing: counters.buffer[index * request.counterCount..<(index + 1) * request.counterCount])
                kernel.reduce(
                    chunk,
                    into: ReductionSink(
                        sums: localSums, blocksInChunk: blocksInChunk, histograms: histograms, counters: counterSlots))
                progress?(UInt64(chunks[index].count) * UInt64(inputBitsPerElement) / 8)
                if let spill {
                    if spillFile == nil { spillFile = try spill.makeWorkerFile() }
                    try spill.append(
                        chunkIndex: index,
                        sums: UnsafeBufferPointer(rebasing: localSums[0..<request.sumCount * blocksInChunk]),
                        to: spillFile!)  // checked: set just above
                    continue
                }
                let firstBlock = chunks[index].lowerBound / reductionBlockElementCount
                for quantity in 0..<request.sumCount {
                    for block in 0..<blocksInChunk {
                        sums.buffer[quantity * blockCount + firstBlock + block] =
                            localSums[quantity * blocksInChunk + block]
                    }
                }
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
        histogramTotals.withLock { totals in
            for index in totals.indices { totals[index] &+= histograms[index] }
        }
    }
    if let error = failure.withLock({ $0 }) { throw error }
    var quantitySums: [Double] = []
    if let spill {
        quantitySums = try spill.totals(
            quantityCount: request.sumCount,
            blocksInChunk: chunks.map { ($0.count + reductionBlockElementCount - 1) / reductionBlockElementCount })
    } else {
        for quantity in 0..<request.sumCount {
            var total = 0.0
            for block in 0..<blockCount { total += sums.buffer[quantity * blockCount + block] }
            quantitySums.append(total)
        }
    }
    return ReductionTotals(
        sums: quantitySums, histograms: histogramTotals.withLock { $0 },
        counters: Array(counters.buffer.prefix(request.counterCount * chunks.count)), counterCount: request.counterCount
    )
}
