import Base
import Checkpoint
import Synchronization

/// One worker's buffers: a raw read buffer, one Float32 buffer per source,
/// one for the output and the reduction histograms, reused for every chunk
/// and, through `ChunkBufferPool`, every pass and tensor of a run, so
/// neither the hot loops nor the passes allocate. Their bytes, and the
/// scratch the method declares per element (`WorkingMemory`), are drawn
/// from the run's `ByteBudget` for as long as they live.
/// @unchecked Sendable: one worker at a time holds it, from the pool's
/// `take` to its `give`.
final class ChunkBuffers: @unchecked Sendable {
    private let raw: UnsafeMutableRawBufferPointer
    private let decoded: [UnsafeMutableBufferPointer<Float>]
    let output: UnsafeMutableBufferPointer<Float>
    /// Elements, sources and histogram counts the buffers hold.
    let elementCapacity: Int
    var sourceCapacity: Int { decoded.count }
    let histogramCapacity: Int
    private let histogramStorage: UnsafeMutableBufferPointer<UInt64>
    private let reservation: ByteReservation

    /// Bytes a set draws from the budget: its buffers for `chunkElementCount`
    /// elements of `sourceCount` sources, the scratch the method declares
    /// per element, and `histogramCount` histogram counts. One reservation
    /// for all of it, so a worker never holds part while waiting for more.
    static func reservedBytes(
        chunkElementCount: Int, sourceCount: Int, histogramCount: Int, working: WorkingMemory
    ) -> UInt64 {
        UInt64(max(1, chunkElementCount))
            * UInt64(MemoryEstimate.workerBytesPerElement(sourceCount: sourceCount, working: working))
            + UInt64(histogramCount) * 8
    }

    init(chunkElementCount: Int, sourceCount: Int, histogramCount: Int, reservation: consuming ByteReservation) {
        let capacity = max(1, chunkElementCount)
        elementCapacity = capacity
        histogramCapacity = histogramCount
        self.reservation = reservation
        raw = .allocate(byteCount: capacity * 8, alignment: 64)
        decoded = (0..<sourceCount).map { _ in .allocate(capacity: capacity) }
        output = .allocate(capacity: capacity)
        histogramStorage = .allocate(capacity: max(1, histogramCount))
    }

    deinit {
        raw.deallocate()
        for buffer in decoded { buffer.deallocate() }
        output.deallocate()
        histogramStorage.deallocate()
    }

    /// `count` zeroed histogram counts (at most `histogramCapacity`).
    func histograms(count: Int) -> UnsafeMutableBufferPointer<UInt64> {
        // Every set has the method's largest declared histograms (ChunkBufferPool.take).
        precondition(count <= max(1, histogramCapacity), "histograms beyond the reservation")  // checked: see above
        let counts = UnsafeMutableBufferPointer(rebasing: histogramStorage[0..<count])
        counts.update(repeating: 0)
        return counts
    }

    func fits(chunkElementCount: Int, sourceCount: Int, histogramCount: Int) -> Bool {
        elementCapacity >= chunkElementCount && sourceCapacity >= sourceCount && histogramCapacity >= histogramCount
    }
}

/// The worker buffers of a run, lent to the workers of each pass and given
/// back after it. Without a pool every pass allocated and freed a few
/// megabytes per worker, and glibc kept that space free in its heaps,
/// counted in RSS: about a megabyte more per tensor, whatever the budget.
/// Every set's bytes are drawn from `budget`: a set that does not fit
/// waits for others to be given back (so more threads than the budget
/// feeds simply wait), after idle sets are freed to make room.
final class ChunkBufferPool: Sendable {
    private let state = Mutex<(free: [ChunkBuffers], lent: Int)>(([], 0))
    /// Buffers kept at most (one per worker, and one for the thread that
    /// runs a pass).
    private let limit: Int
    let budget: ByteBudget
    let working: WorkingMemory

    init(threads: Int, budget: ByteBudget = ByteBudget(limitBytes: .max), working: WorkingMemory = .elementwise) {
        limit = threads + 1
        self.budget = budget
        self.working = working
    }

    /// Buffers for chunks of `chunkElementCount` elements of `sourceCount`
    /// sources with `histogramCount` histogram counts: a kept set that is
    /// large enough, else a new one drawn from the budget. When the budget
    /// cannot hold a set and no set is lent (so none will come back), the
    /// request can never be met: refused rather than left waiting.
    func take(chunkElementCount: Int, sourceCount: Int, histogramCount requested: Int = 0) throws -> ChunkBuffers {
        // Every set gets the histograms the method declares for its largest
        // pass (as the estimate charges), so a set serves every pass: a
        // pass needing more than the last would otherwise make new sets
        // and free old ones, and glibc keeps freed space resident.
        let histogramCount = max(requested, working.histogramCount(modelCount: sourceCount) * histogramBinCount)
        let kept = state.withLock { state -> ChunkBuffers? in
            guard
                let index = state.free.firstIndex(where: {
                    $0.fits(chunkElementCount: chunkElementCount, sourceCount: sourceCount, histogramCount: histogramCount)
                })
            else { return nil }
            state.lent += 1
            return state.free.remove(at: index)
        }
        if let kept { return kept }
        let bytes = ChunkBuffers.reservedBytes(
            chunkElementCount: chunkElementCount, sourceCount: sourceCount, histogramCount: histogramCount,
            working: working)
        var reservation = budget.tryReserve(bytes, purpose: "a worker's buffers")
        if reservation == nil {
            evictIdle()
            if state.withLock({ $0.lent }) == 0 {
                reservation = budget.tryReserve(bytes, purpose: "a worker's buffers")
                if reservation == nil {
                    throw ByteBudgetError(
                        purpose: "a worker's buffers", requestedBytes: bytes, limitBytes: budget.limitBytes,
                        heldBytes: budget.reservedBytes)
                }
            }
        }
        let granted = try reservation.take() ?? budget.reserve(bytes, purpose: "a worker's buffers") { evictIdle() }
        state.withLock { $0.lent += 1 }
        return ChunkBuffers(
            chunkElementCount: chunkElementCount, sourceCount: sourceCount, histogramCount: histogramCount,
            reservation: granted)
    }

    /// Keeps `buffers` for the next pass, the largest ones when full; frees
    /// them instead when a request is waiting for budget.
    func give(_ buffers: ChunkBuffers) {
        let waiting = budget.hasWaiters
        let dropped = state.withLock { state -> ChunkBuffers? in
            state.lent -= 1
            if waiting { return buffers }
            state.free.append(buffers)
            guard state.free.count > limit else { return nil }
            state.free.sort { $0.elementCapacity * $0.sourceCapacity > $1.elementCapacity * $1.sourceCapacity }
            return state.free.removeLast()
        }
        _ = dropped  // freed here, outside the lock
    }

    /// Bytes for the thread that runs the passes (block sums, in-flight
    /// output chunks), taken between passes: idle sets are freed to make
    /// room, and what still does not fit is refused, since no worker is
    /// running that could give bytes back.
    func reserveBetweenPasses(_ bytes: UInt64, purpose: String) throws(ByteBudgetError) -> ByteReservation {
        if let reservation = budget.tryReserve(bytes, purpose: purpose) { return reservation }
        evictIdle()
        if let reservation = budget.tryReserve(bytes, purpose: purpose) { return reservation }
        throw ByteBudgetError(
            purpose: purpose, requestedBytes: bytes, limitBytes: budget.limitBytes, heldBytes: budget.reservedBytes)
    }

    /// Frees every kept set, giving its bytes back to the budget.
    func evictIdle() {
        let evicted = state.withLock { state -> [ChunkBuffers] in
            defer { state.free.removeAll() }
            return state.free
        }
        _ = evicted  // freed here, outside the lock
    }
}

/// Buffers lent from a pool for a worker's life, given back when it ends.
final class LentChunkBuffers: Sendable {
    let buffers: ChunkBuffers
    private let pool: ChunkBufferPool

    init(_ pool: ChunkBufferPool, chunkElementCount: Int, sourceCount: Int, histogramCount: Int = 0) throws {
        self.pool = pool
        buffers = try pool.take(
            chunkElementCount: chunkElementCount, sourceCount: sourceCount, histogramCount: histogramCount)
    }

    deinit { pool.give(buffers) }
}

extension ChunkBuffers {
    /// Reads elements `range` of every source (base first, if any) through
    /// its `TensorReader` and decodes them to Float32.
    ///
    /// With `encoded`, 16-bit sources that fit the raw buffer together are
    /// only read, each into its own part of it, for a kernel that decodes
    /// them a piece at a time (`TensorKernel.decodesInPieces`).
    func load(
        _ tensor: PlannedTensor, base: TensorSource?, models: [TensorSource], chunkIndex: Int, range: Range<Int>,
        encoded: Bool = false
    ) throws -> ChunkInput {
        let sources = (base.map { [$0] } ?? []) + models
        let offset = base == nil ? 0 : 1
        let baseBuffer = base.map { _ in UnsafeMutableBufferPointer(rebasing: decoded[0][0..<range.count]) }
        let modelBuffers = models.indices.map {
            UnsafeMutableBufferPointer(rebasing: decoded[offset + $0][0..<range.count])
        }
        if encoded, sources.allSatisfy({ $0.dtype == .bf16 || $0.dtype == .f16 }),
            2 * sources.count * range.count <= raw.count
        {
            var next = 0
            func read(_ source: TensorSource) throws -> EncodedSource {
                let bytes = UnsafeMutableRawBufferPointer(rebasing: raw[next..<next + 2 * range.count])
                next += bytes.count
                let byteRange = UInt64(range.lowerBound * 2)..<UInt64(range.upperBound * 2)
                try source.reader.readRawBytes(ofTensor: source.tensorIndex, byteRange, into: bytes)
                return EncodedSource(bytes: UnsafeRawPointer(bytes.baseAddress!), dtype: source.dtype)  // checked: raw has at least one byte
            }
            let encodedChunk = EncodedChunk(
                base: try base.map(read), models: try models.map(read), baseDestination: baseBuffer,
                modelDestinations: modelBuffers)
            return ChunkInput(
                chunkIndex: chunkIndex, elementRange: range, base: baseBuffer.map(UnsafeBufferPointer.init),
                models: modelBuffers.map(UnsafeBufferPointer.init), encoded: encodedChunk)
        }
        for (slot, source) in sources.enumerated() {
            let destination = slot < offset ? baseBuffer! : modelBuffers[slot - offset]  // checked: slot 0 is the base when there is one
            try source.reader.decode(tensor: source.tensorIndex, elements: range, into: destination, scratch: raw)
        }
        return ChunkInput(
            chunkIndex: chunkIndex, elementRange: range, base: baseBuffer.map(UnsafeBufferPointer.init),
            models: modelBuffers.map(UnsafeBufferPointer.init))
    }
}

/// The chunks of a tensor: element ranges whose starts are multiples of
/// the reduction block (and of the row length when the kernel needs whole
/// rows, and of the sources' encoding blocks), so that block sums and row
/// computations never depend on the chunk size and every read decodes
/// whole encoded blocks.
func chunkRanges(
    elementCount: Int, preferredChunkElementCount: Int, rowLength: Int, needsWholeRows: Bool,
    encodingBlockElementCount: Int = 1
) -> [Range<Int>] {
    guard elementCount > 0 else { return [] }
    var unit = reductionBlockElementCount
    if encodingBlockElementCount > 1 {
        unit = unit / greatestCommonDivisor(unit, encodingBlockElementCount) * encodingBlockElementCount
    }
    if needsWholeRows, rowLength > 1 {
        unit = unit / greatestCommonDivisor(unit, rowLength) * rowLength
    }
    let chunk = max(unit, preferredChunkElementCount / unit * unit)
    return stride(from: 0, to: elementCount, by: chunk).map { $0..<min(elementCount, $0 + chunk) }
}

func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
