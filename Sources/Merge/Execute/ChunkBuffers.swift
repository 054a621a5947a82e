import Base
import Checkpoint

/// One worker's buffers: a raw read buffer, one Float32 buffer per source
/// and one for the output, sized for the largest chunk of a pass and reused
/// for all its chunks, so the hot loops allocate nothing.
final class ChunkBuffers {
    private let raw: UnsafeMutableRawBufferPointer
    private let decoded: [UnsafeMutableBufferPointer<Float>]
    let output: UnsafeMutableBufferPointer<Float>

    init(chunkElementCount: Int, sourceCount: Int) {
        raw = .allocate(byteCount: max(1, chunkElementCount) * 8, alignment: 64)
        decoded = (0..<sourceCount).map { _ in .allocate(capacity: max(1, chunkElementCount)) }
        output = .allocate(capacity: max(1, chunkElementCount))
    }

    deinit {
        raw.deallocate()
        for buffer in decoded { buffer.deallocate() }
        output.deallocate()
    }

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
