import Base

/// How a conversion fits its memory budget: the chunks every tensor is cut
/// into, and the buffers they need, all drawn from one `ByteBudget`.
///
/// A worker holds the encoded blocks of a chunk, its Float32 values and,
/// for a transform that moves rows, a second Float32 buffer; the pipeline
/// holds `window` encoded output chunks in flight; the output stream holds
/// its aligned blocks.
struct ConversionMemory: Sendable {
    /// 256 Ki elements: 1 MiB of Float32 per buffer.
    static let preferredChunkElementCount = 1 << 18
    /// Chunks start on multiples of this (a k-quant super-block), so that
    /// the chunks of a tensor do not depend on its encoding.
    static let chunkAlignment = 256
    static let outputBlockCount = 4

    let budgetBytes: UInt64
    let threads: Int
    let window: Int
    let outputBlockBytes: Int
    /// Element ranges of each tensor's chunks, by tensor.
    let chunks: [[Range<Int>]]
    /// What one worker's buffers hold.
    let scratchByteCount: Int
    let valueCapacity: Int
    let needsSecondBuffer: Bool
    /// The largest encoded output chunk.
    let slotBytes: Int

    var workerBytes: UInt64 {
        UInt64(scratchByteCount) + UInt64(valueCapacity) * 4 * (needsSecondBuffer ? 2 : 1)
    }

    var outputStreamBytes: UInt64 {
        SequentialShardWriter.memoryBytes(blockBytes: outputBlockBytes, blockCount: Self.outputBlockCount)
    }

    /// Chooses the chunk size from the budget (or takes `chunkBytes` of
    /// Float32 work per chunk, for tests), then cuts every tensor into
    /// chunks of whole encoding blocks and whole transform units.
    init(plan: GGUFConversionPlan, infos: [TensorInfo], budgetBytes: UInt64, threads: Int, chunkBytes: UInt64?) {
        self.budgetBytes = budgetBytes
        self.threads = max(1, threads)
        window = 2 * self.threads
        outputBlockBytes =
            Int(min(8 << 20, max(64 << 10, budgetBytes / 32))) / SequentialShardWriter.alignment
            * SequentialShardWriter.alignment
        let outputBytes = plan.dtype.bitsPerElement / 8
        let needsSecondBuffer = plan.tensors.contains { !$0.transform.isInPlace }
        // Per chunk element: each worker's encoded (at most 8 bytes, F64)
        // and Float32 buffers, and the in-flight output chunks.
        let perElement = self.threads * (2 + 4 * (needsSecondBuffer ? 2 : 1)) + window * outputBytes
        let fixed = SequentialShardWriter.memoryBytes(blockBytes: outputBlockBytes, blockCount: Self.outputBlockCount)
        var chunk: Int
        if let chunkBytes {
            chunk = Int(min(chunkBytes / 4, UInt64(Int.max)))
        } else {
            let usable = budgetBytes > fixed ? budgetBytes - fixed : 0
            chunk = min(Self.preferredChunkElementCount, Int(usable / UInt64(max(1, perElement))))
        }
        chunk = max(Self.chunkAlignment, chunk / Self.chunkAlignment * Self.chunkAlignment)
        var chunks: [[Range<Int>]] = []
        var valueCapacity = 1
        var scratch = 0
        for tensor in plan.tensors {
            let info = infos[tensor.sourceIndex]
            let unit = Self.leastCommonMultiple(
                Self.leastCommonMultiple(Self.chunkAlignment, info.blockElementCount),
                tensor.transform.chunkUnit(shape: tensor.shape))
            let size = max(unit, chunk / unit * unit)
            let count = tensor.elementCount
            let ranges = stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
            chunks.append(ranges)
            let largest = ranges.map(\.count).max() ?? 0
            valueCapacity = max(valueCapacity, largest)
            if info.dtype != .f32 { scratch = max(scratch, info.scratchBytes(forElements: largest)) }
        }
        self.chunks = chunks
        self.valueCapacity = valueCapacity
        self.needsSecondBuffer = needsSecondBuffer
        scratchByteCount = scratch
        slotBytes = valueCapacity * outputBytes
    }

    static func leastCommonMultiple(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 0 : a / x * b
    }
}

/// One worker's buffers for a conversion, drawn from the run's budget for
/// as long as they live.
/// @unchecked Sendable: one worker at a time holds it, from the pool's
/// hand-out to the end of the pass.
final class ConversionBuffers: @unchecked Sendable {
    let scratch: UnsafeMutableRawBufferPointer
    let values: UnsafeMutableBufferPointer<Float>
    let transformed: UnsafeMutableBufferPointer<Float>
    private let reservation: ByteReservation

    init(memory: ConversionMemory, reservation: consuming ByteReservation) {
        self.reservation = reservation
        scratch = .allocate(byteCount: max(1, memory.scratchByteCount), alignment: 64)
        values = .allocate(capacity: memory.valueCapacity)
        transformed = .allocate(capacity: memory.needsSecondBuffer ? memory.valueCapacity : 1)
    }

    deinit {
        scratch.deallocate()
        values.deallocate()
        transformed.deallocate()
    }
}
