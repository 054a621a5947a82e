import Base
import Checkpoint
import Synchronization

/// One worker's buffers: a raw read buffer, one Float32 buffer per source,
/// one for the output and the reduction histograms, reused for every chunk
/// and, through `ChunkBufferPool`, every pass and tensor of a run, so
/// neither the hot loops nor the passes allocate.
/// @unchecked Sendable: one worker at a time holds it, from the pool's
/// `take` to its `give`.
final class ChunkBuffers: @unchecked Sendable {
    private let raw: UnsafeMutableRawBufferPointer
    private let decoded: [UnsafeMutableBufferPointer<Float>]
    let output: UnsafeMutableBufferPointer<Float>
    /// Elements and sources the buffers hold.
    let elementCapacity: Int
    var sourceCapacity: Int { decoded.count }
    private var histogramStorage = UnsafeMutableBufferPointer<UInt64>(start: nil, count: 0)

    init(chunkElementCount: Int, sourceCount: Int) {
        let capacity = max(1, chunkElementCount)
        elementCapacity = capacity
        raw = .allocate(byteCount: capacity * 8, alignment: 64)
        decoded = (0..<sourceCount).map { _ in .allocate(capacity: capacity) }
        output = .allocate(capacity: capacity)
    }

    deinit {
        raw.deallocate()
        for buffer in decoded { buffer.deallocate() }
        output.deallocate()
        histogramStorage.deallocate()
    }

    /// `count` zeroed histogram counts, kept for the next pass.
    func histograms(count: Int) -> UnsafeMutableBufferPointer<UInt64> {
        if histogramStorage.count < count {
            histogramStorage.deallocate()
            histogramStorage = .allocate(capacity: count)
        }
        let counts = UnsafeMutableBufferPointer(rebasing: histogramStorage[0..<count])
        counts.update(repeating: 0)
        return counts
    }
}

/// The worker buffers of a run, lent to the workers of each pass and given
/// back after it. Without a pool every pass allocated and freed a few
/// megabytes per worker, and glibc kept that space free in its heaps,
/// counted in RSS: about a megabyte more per tensor, whatever the budget.
final class ChunkBufferPool: Sendable {
    private let free = Mutex<[ChunkBuffers]>([])
    /// Buffers kept at most (one per worker, and one for the thread that
    /// runs a pass).
    private let limit: Int

    init(threads: Int) { limit = threads + 1 }

    /// Buffers for chunks of `chunkElementCount` elements of `sourceCount`
    /// sources: a kept set that is large enough, else a new one.
    func take(chunkElementCount: Int, sourceCount: Int) -> ChunkBuffers {
        let kept = free.withLock { free -> ChunkBuffers? in
            guard
                let index = free.firstIndex(where: {
                    $0.elementCapacity >= chunkElementCount && $0.sourceCapacity >= sourceCount
                })
            else { return nil }
            return free.remove(at: index)
        }
        return kept ?? ChunkBuffers(chunkElementCount: chunkElementCount, sourceCount: sourceCount)
    }

    /// Keeps `buffers` for the next pass, the largest ones when full.
    func give(_ buffers: ChunkBuffers) {
        free.withLock { free in
            free.append(buffers)
            if free.count > limit {
                free.sort { $0.elementCapacity * $0.sourceCapacity > $1.elementCapacity * $1.sourceCapacity }
                free.removeLast()
            }
        }
    }
}

/// Buffers lent from a pool for a worker's life, given back when it ends.
final class LentChunkBuffers: Sendable {
    let buffers: ChunkBuffers
    private let pool: ChunkBufferPool

    init(_ pool: ChunkBufferPool, chunkElementCount: Int, sourceCount: Int) {
        self.pool = pool
        buffers = pool.take(chunkElementCount: chunkElementCount, sourceCount: sourceCount)
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
