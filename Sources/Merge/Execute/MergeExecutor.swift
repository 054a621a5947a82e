import Checkpoint

/// How the executor spends threads and memory. None of it changes a byte
/// of the output (DESIGN.md, principle 4).
public struct ExecutionSettings: Sendable {
    public var threads: Int
    /// Preferred elements per chunk; rounded to whole reduction blocks
    /// (and whole rows for methods that need them).
    public var chunkElementCount: Int
    /// Chunks of one tensor in flight at once in the final pass.
    public var window: Int

    public init(threads: Int, chunkElementCount: Int, window: Int) {
        self.threads = max(1, threads)
        self.chunkElementCount = max(reductionBlockElementCount, chunkElementCount)
        self.window = max(1, window)
    }
}

/// Streams every planned tensor through its method chunk by chunk into the
/// staged output (DESIGN.md, "Data flow of a merge"): reduction passes
/// first, then the elementwise pass, whose chunks are written at their
/// final offsets and hashed in order.
public enum MergeExecutor {
    /// Runs `tensors` into `writer` and returns each tensor's XXH3-64.
    /// `progress` gets the bytes of every finished output chunk.
    public static func run(
        _ tensors: [PlannedTensor], into writer: CheckpointWriter, settings: ExecutionSettings,
        progress: (UInt64) -> Void = { _ in }
    ) throws -> [String: UInt64] {
        var digests: [String: UInt64] = [:]
        for tensor in tensors {
            digests[tensor.name] = try run(tensor, into: writer, settings: settings, progress: progress)
        }
        return digests
    }

    static func run(_ tensor: PlannedTensor, into writer: CheckpointWriter, settings: ExecutionSettings, progress: (UInt64) -> Void) throws -> UInt64 {
        let retired = { (count: Int) in progress(UInt64(count)) }
        switch tensor.work {
        case .copy(let source):
            let byteCount = Int(tensor.byteCount)
            let chunkBytes = settings.chunkElementCount * 4
            let chunks = stride(from: 0, to: byteCount, by: chunkBytes).map { $0 ..< min(byteCount, $0 + chunkBytes) }
            return try runOrderedPipeline(
                chunkCount: chunks.count, threads: settings.threads, window: settings.window, slotBytes: chunkBytes,
                makeState: {},
                produce: { index, _, slot in
                    let range = chunks[index]
                    let bytes = UnsafeMutableRawBufferPointer(rebasing: slot[0..<range.count])
                    try source.file.file.read(into: bytes, at: source.fileOffset + UInt64(range.lowerBound))
                    try writer.write(tensor: tensor.name, offset: UInt64(range.lowerBound), bytes: UnsafeRawBufferPointer(bytes))
                    return range.count
                },
                retired: retired)
        case .merge(let method, let context, let base, let models):
            var kernel = method.makeKernel(context)
            let chunks = chunkRanges(
                elementCount: tensor.elementCount, preferredChunkElementCount: settings.chunkElementCount,
                rowLength: context.rowLength, needsWholeRows: kernel.needsWholeRows)
            while let request = kernel.nextReduction() {
                let totals = try runReductionPass(kernel, request: request, tensor: tensor, base: base, models: models, chunks: chunks, threads: settings.threads)
                kernel.finishReduction(totals)
            }
            let finalKernel = kernel
            let largestChunk = chunks.map(\.count).max() ?? 0
            let outputBytesPerElement = tensor.outputDType.bitsPerElement / 8
            let sourceCount = (base == nil ? 0 : 1) + models.count
            return try runOrderedPipeline(
                chunkCount: chunks.count, threads: settings.threads, window: settings.window,
                slotBytes: largestChunk * outputBytesPerElement,
                makeState: { ChunkBuffers(chunkElementCount: largestChunk, sourceCount: sourceCount) },
                produce: { index, buffers, slot in
                    let range = chunks[index]
                    let input = try buffers.load(tensor, base: base, models: models, chunkIndex: index, range: range)
                    let output = UnsafeMutableBufferPointer(rebasing: buffers.output[0..<range.count])
                    finalKernel.merge(input, into: output)
                    let bytes = UnsafeMutableRawBufferPointer(rebasing: slot[0 ..< range.count * outputBytesPerElement])
                    guard tensor.outputDType.encode(UnsafeBufferPointer(output), into: bytes) else {
                        throw MergeError.incompatibleInputs(problem: "cannot store \(tensor.name) as \(tensor.outputDType.rawValue)")
                    }
                    try writer.write(tensor: tensor.name, offset: UInt64(range.lowerBound * outputBytesPerElement), bytes: UnsafeRawBufferPointer(bytes))
                    return bytes.count
                },
                retired: retired)
        }
    }
}
