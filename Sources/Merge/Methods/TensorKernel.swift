/// Elements per reduction block: every Float64 sum is accumulated over
/// fixed blocks of this many elements and combined in index order
/// (DESIGN.md, principle 4), so sums do not depend on chunking or threads.
public let reductionBlockElementCount = 65_536

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
    public let base: UnsafeBufferPointer<Float>?
    public let models: [UnsafeBufferPointer<Float>]

    /// Blocks of `reductionBlockElementCount` inside the chunk, as local
    /// element ranges, with their global block numbers.
    public var blocks: ChunkBlocks { ChunkBlocks(elementRange: elementRange) }
}

/// The reduction blocks of a chunk, computed on access (no allocation in
/// the reduction loops).
public struct ChunkBlocks: RandomAccessCollection {
    let elementRange: Range<Int>
    public var startIndex: Int { 0 }
    public var endIndex: Int { (elementRange.count + reductionBlockElementCount - 1) / reductionBlockElementCount }
    public subscript(position: Int) -> (local: Range<Int>, block: Int) {
        let start = position * reductionBlockElementCount
        return (start ..< Swift.min(elementRange.count, start + reductionBlockElementCount), (elementRange.lowerBound + start) / reductionBlockElementCount)
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
        UnsafeMutableBufferPointer(rebasing: histograms[index * histogramBinCount ..< (index + 1) * histogramBinCount])
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
        histograms[index * histogramBinCount ..< (index + 1) * histogramBinCount]
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
    /// The next reduction pass, or nil when the kernel is ready to merge.
    func nextReduction() -> ReductionRequest?
    /// Accumulates one chunk into `sink`.
    func reduce(_ chunk: ChunkInput, into sink: ReductionSink)
    /// Takes the totals of the pass `nextReduction` asked for.
    mutating func finishReduction(_ totals: ReductionTotals)
    /// Writes the merged elements of one chunk.
    func merge(_ chunk: ChunkInput, into output: UnsafeMutableBufferPointer<Float>)
}

extension TensorKernel {
    public var needsWholeRows: Bool { false }
    public func nextReduction() -> ReductionRequest? { nil }
    public func reduce(_ chunk: ChunkInput, into sink: ReductionSink) {}
    public mutating func finishReduction(_ totals: ReductionTotals) {}
}
