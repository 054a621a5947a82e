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

    /// Reads elements `range` of every source (base first, if any) with
    /// `pread` and decodes them to Float32. Reading instead of touching the
    /// mapping keeps input pages out of the process's resident memory and
    /// turns an input that shrinks into an error, not a SIGBUS.
    ///
    /// With `encoded`, 16-bit sources that fit the raw buffer together are
    /// only read, each into its own part of it, for a kernel that decodes
    /// them a piece at a time (`TensorKernel.decodesInPieces`).
    func load(_ tensor: PlannedTensor, base: TensorSource?, models: [TensorSource], chunkIndex: Int, range: Range<Int>, encoded: Bool = false) throws -> ChunkInput {
        let sources = (base.map { [$0] } ?? []) + models
        if encoded, sources.allSatisfy({ $0.dtype == .bf16 || $0.dtype == .f16 }), 2 * sources.count * range.count <= raw.count {
            var next = 0
            func read(_ source: TensorSource) throws -> EncodedSource {
                let bytes = UnsafeMutableRawBufferPointer(rebasing: raw[next ..< next + 2 * range.count])
                next += bytes.count
                try source.file.file.read(into: bytes, at: source.fileOffset + UInt64(range.lowerBound * 2))
                return EncodedSource(bytes: UnsafeRawPointer(bytes.baseAddress!), dtype: source.dtype) // checked: raw has at least one byte
            }
            let encodedBase = try base.map(read)
            let encodedModels = try models.map(read)
            let baseValues = base.map { _ in UnsafeBufferPointer(rebasing: decoded[0][0..<range.count]) }
            let offset = base == nil ? 0 : 1
            let modelValues = models.indices.map { UnsafeBufferPointer(rebasing: decoded[offset + $0][0..<range.count]) }
            return ChunkInput(
                chunkIndex: chunkIndex, elementRange: range, base: baseValues, models: modelValues,
                encoded: EncodedChunk(base: encodedBase, models: encodedModels))
        }
        var slot = 0
        func read(_ source: TensorSource) throws -> UnsafeBufferPointer<Float> {
            defer { slot += 1 }
            let destination = UnsafeMutableBufferPointer(rebasing: decoded[slot][0..<range.count])
            let bytesPerElement = source.dtype.bitsPerElement / 8
            let offset = source.fileOffset + UInt64(range.lowerBound * bytesPerElement)
            if source.dtype == .f32 {
                try source.file.file.read(into: UnsafeMutableRawBufferPointer(destination), at: offset)
                #if _endian(big)
                for index in destination.indices { destination[index] = Float(bitPattern: UInt32(littleEndian: destination[index].bitPattern)) }
                #endif
            } else {
                let bytes = UnsafeMutableRawBufferPointer(rebasing: raw[0 ..< range.count * bytesPerElement])
                try source.file.file.read(into: bytes, at: offset)
                guard source.dtype.decode(UnsafeRawBufferPointer(bytes), into: destination) else {
                    throw MergeError.uncomputableDType(file: source.file.path, tensor: source.tensorName, dtype: source.dtype.rawValue)
                }
            }
            return UnsafeBufferPointer(destination)
        }
        let baseValues = try base.map(read)
        let modelValues = try models.map(read)
        return ChunkInput(chunkIndex: chunkIndex, elementRange: range, base: baseValues, models: modelValues)
    }
}

/// The chunks of a tensor: element ranges whose starts are multiples of
/// the reduction block (and of the row length when the kernel needs whole
/// rows), so that block sums and row computations never depend on the
/// chunk size.
func chunkRanges(elementCount: Int, preferredChunkElementCount: Int, rowLength: Int, needsWholeRows: Bool) -> [Range<Int>] {
    guard elementCount > 0 else { return [] }
    var unit = reductionBlockElementCount
    if needsWholeRows, rowLength > 1 {
        unit = unit / greatestCommonDivisor(unit, rowLength) * rowLength
    }
    let chunk = max(unit, preferredChunkElementCount / unit * unit)
    return stride(from: 0, to: elementCount, by: chunk).map { $0 ..< min(elementCount, $0 + chunk) }
}

func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
