import Base
import Checkpoint

/// Bins of one radix-selection histogram (16 bits of a Float32 key).
public let histogramBinCount = 65_536

/// One chunk of one tensor, decoded to Float32: the base model's elements
/// (when the method uses a base) and the other models' in recipe order.
public struct ChunkInput {
    /// Position of the chunk among the tensor's chunks.
    public let chunkIndex: Int
    /// The chunk's elements, as indexes into the flattened tensor; the lower
    /// bound is a multiple of `reductionBlockElementCount` (and of the row
    /// length for methods that work on whole rows).
    public let elementRange: Range<Int>
    // Views of the worker's buffers, valid only during the kernel call that
    // receives the chunk, so not public: no pointer outlives the call.
    let base: UnsafeBufferPointer<Float>?
    let models: [UnsafeBufferPointer<Float>]
    /// For a kernel that `decodesInPieces`, the bytes as read, still in
    /// their dtype; `base` and `models` then hold nothing until
    /// `decodedWhole()` fills them.
    var encoded: EncodedChunk?

    init(
        chunkIndex: Int, elementRange: Range<Int>, base: UnsafeBufferPointer<Float>?,
        models: [UnsafeBufferPointer<Float>], encoded: EncodedChunk? = nil
    ) {
        self.chunkIndex = chunkIndex
        self.elementRange = elementRange
        self.base = base
        self.models = models
        self.encoded = encoded
    }

    /// The chunk with every source decoded to Float32 (itself, unless it
    /// is still encoded).
    func decodedWhole() -> ChunkInput {
        guard let encoded else { return self }
        let count = elementRange.count
        if let source = encoded.base, let destination = encoded.baseDestination, count > 0 {
            source.decode(0..<count, into: destination.baseAddress!)  // checked: buffers of a non-empty chunk
        }
        for (source, destination) in zip(encoded.models, encoded.modelDestinations) where count > 0 {
            source.decode(0..<count, into: destination.baseAddress!)  // checked: as above
        }
        return ChunkInput(chunkIndex: chunkIndex, elementRange: elementRange, base: base, models: models)
    }

    /// Elements `range` (chunk-local) of the base (`model` nil) or of a
    /// model as Float32: decoded into `scratch` when the chunk is still
    /// encoded, else straight from the decoded buffer.
    @inline(__always)
    func values(of model: Int?, _ range: Range<Int>, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if let encoded {
            // checked: a chunk with a base has an encoded base
            (model.map { encoded.models[$0] } ?? encoded.base!).decode(range, into: scratch)
            return UnsafePointer(scratch)
        }
        // checked: a chunk with a base has a base buffer, and range is inside the chunk
        return (model.map { models[$0] } ?? base!).baseAddress! + range.lowerBound
    }

    /// Blocks of `reductionBlockElementCount` inside the chunk, as local
    /// element ranges, with their global block numbers.
    public var blocks: ChunkBlocks { ChunkBlocks(elementRange: elementRange) }
}

/// A chunk's sources as read, before decoding.
public struct EncodedChunk {
    let base: EncodedSource?
    let models: [EncodedSource]
    /// The worker's Float32 buffers that `ChunkInput.base` and `models`
    /// view read-only, which `decodedWhole()` fills.
    let baseDestination: UnsafeMutableBufferPointer<Float>?
    let modelDestinations: [UnsafeMutableBufferPointer<Float>]
}

/// One source's bytes for a chunk, in a dtype `DType.decode` takes.
public struct EncodedSource {
    let bytes: UnsafeRawPointer
    let dtype: DType

    /// Decodes elements `range` (chunk-local) into `destination`.
    @inline(__always)
    public func decode(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let width = dtype.bitsPerElement / 8
        // The dtype was checked when the chunk was read.
        _ = dtype.decode(
            UnsafeRawBufferPointer(start: bytes + range.lowerBound * width, count: range.count * width),
            into: UnsafeMutableBufferPointer(start: destination, count: range.count))
    }

}

/// The reduction blocks of a chunk, computed on access (no allocation in
/// the reduction loops).
public struct ChunkBlocks: RandomAccessCollection {
    let elementRange: Range<Int>
    public var startIndex: Int { 0 }
    public var endIndex: Int { (elementRange.count + reductionBlockElementCount - 1) / reductionBlockElementCount }
    public subscript(position: Int) -> (local: Range<Int>, block: Int) {
        let start = position * reductionBlockElementCount
        return (
            start..<Swift.min(elementRange.count, start + reductionBlockElementCount),
            (elementRange.lowerBound + start) / reductionBlockElementCount
        )
    }
}

/// What one reduction pass accumulates: Float64 sums per block, integer
/// histograms of 65,536 bins, and integer counters per chunk.
public struct ReductionRequest: Sendable, Equatable {
    public var sumCount: Int = 0
    public var histogramCount: Int = 0
    public var counterCount: Int = 0
    /// Above 1, a sample pass: each chunk's first 1/sampleDivisor only
    /// (`RankSelection.sampledRange`), for histograms that predict.
    public var sampleDivisor: Int = 1
    public init(sumCount: Int = 0, histogramCount: Int = 0, counterCount: Int = 0, sampleDivisor: Int = 1) {
        self.sumCount = sumCount
        self.histogramCount = histogramCount
        self.counterCount = counterCount
        self.sampleDivisor = sampleDivisor
    }
}

/// Where a chunk's reduction goes. `sums` and `counters` belong to this
/// chunk alone; `histograms` belong to the worker (integer counts add up
/// the same in any order).
public struct ReductionSink {
    /// `sumCount × blocksInChunk` values: quantity-major, block-minor.
    public let sums: UnsafeMutableBufferPointer<Double>
    public let blocksInChunk: Int
    /// `histogramCount × histogramBinCount` counts.
    public let histograms: UnsafeMutableBufferPointer<UInt64>
    /// `counterCount` counts for this chunk.
    public let counters: UnsafeMutableBufferPointer<Int>

    /// Stores the sum of `quantity` over the chunk's `localBlock`-th block.
    @inline(__always)
    public func setSum(_ quantity: Int, localBlock: Int, _ value: Double) {
        sums[quantity * blocksInChunk + localBlock] = value
    }

    /// The bins of histogram `index`.
    public func histogram(_ index: Int) -> UnsafeMutableBufferPointer<UInt64> {
        UnsafeMutableBufferPointer(rebasing: histograms[index * histogramBinCount..<(index + 1) * histogramBinCount])
    }
}

/// The combined result of a reduction pass.
public struct ReductionTotals: Sendable {
    /// Per quantity: the block sums added in block order.
    public let sums: [Double]
    /// `histogramCount × histogramBinCount` counts.
    public let histograms: [UInt64]
    /// Per chunk, `counterCount` counts: chunk-major.
    public let counters: [Int]
    public let counterCount: Int

    public func histogram(_ index: Int) -> ArraySlice<UInt64> {
        histograms[index * histogramBinCount..<(index + 1) * histogramBinCount]
    }

    /// For each chunk, the sum of `counter` over the chunks before it.
    public func prefixCounts(_ counter: Int) -> [Int] {
        var prefix: [Int] = []
        var running = 0
        for chunk in 0..<(counterCount == 0 ? 0 : counters.count / counterCount) {
            prefix.append(running)
            running += counters[chunk * counterCount + counter]
        }
        return prefix
    }
}

/// The work of one merge method on one output tensor: zero or more
/// reduction passes that stream over the chunks and leave small statistics
/// behind, then an elementwise pass that writes the output (DESIGN.md,
/// "Data flow of a merge"). A kernel is a value: the executor mutates it
/// only between passes and hands copies to the workers.
public protocol TensorKernel: Sendable {
    /// Whether chunks must hold whole rows (the last dimension), for
    /// methods that compute per row.
    var needsWholeRows: Bool { get }
    /// Whether the kernel takes chunks still encoded (`ChunkInput.encoded`)
    /// and decodes them a piece at a time, so the decoded values stay in
    /// the core's cache.
    var decodesInPieces: Bool { get }
    /// The next reduction pass, or nil when the kernel is ready to merge.
    func nextReduction() -> ReductionRequest?
    /// Accumulates one chunk into `sink`.
    func reduce(_ chunk: ChunkInput, into sink: ReductionSink)
    /// Takes the totals of the pass `nextReduction` asked for.
    mutating func finishReduction(_ totals: ReductionTotals)
    /// Writes the merged elements of one chunk.
    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>)
    /// Offers a folder for files a kernel keeps between its passes (hidden,
    /// in the staging folder); called once, before the first pass.
    mutating func useSpillFolder(_ folder: String)
}

extension TensorKernel {
    public var needsWholeRows: Bool { false }
    public var decodesInPieces: Bool { false }
    public func nextReduction() -> ReductionRequest? { nil }
    public func reduce(_ chunk: ChunkInput, into sink: ReductionSink) {}
    public mutating func finishReduction(_ totals: ReductionTotals) {}
    public mutating func useSpillFolder(_ folder: String) {}
}
