import Base
import Synchronization

/// What a training run keeps of each trained tensor: its values, AdamW's
/// two moments and the gradient accumulated since the last step, each at
/// the tensor's offset in one of four Float32 arrays. The arrays live in
/// memory, or in four files when the budget cannot hold them (the
/// out-of-core optimizer: the pass reads a layer's values at a time, the
/// step streams every array through a bounded buffer, and only time grows
/// with the model). The numbers are the same either way.
///
/// It is the pass's `LayerWeightSource` (the values) and `GradientSink`.
/// One thread at a time uses it.
public final class ParameterStore: LayerWeightSource, GradientSink, @unchecked Sendable {
    // @unchecked Sendable: the training loop is its only user, one call at a time.
    public enum Part: Int, CaseIterable, Sendable {
        case values, firstMoments, secondMoments, gradients
    }

    public let name: String
    /// The trained tensors, in order, with their shapes.
    public let tensors: [(name: String, shape: [Int])]
    /// Every tensor's first element in each array, its element count and shape.
    let offsets: [String: (first: Int, count: Int, shape: [Int])]
    public let elementCount: Int
    private let backing: Backing
    private let threads: Int
    private let budget: ByteBudget

    private enum Backing {
        case memory([FloatBuffer])
        case files([OpenFile])
    }

    /// Elements of each array the step and the norm take at once: the unit
    /// of their fixed order (and of their partial sums).
    static let tileElementCount = 1 << 16
    /// Tiles a file-backed store reads at once.
    static let tilesPerChunk = 16

    /// A store of `tensors`, zero everywhere, in memory (drawn from
    /// `budget`) or, with `folder`, in four files there.
    public init(
        name: String, tensors: [(name: String, shape: [Int])], folder: String?, threads: Int, budget: ByteBudget
    ) throws {
        self.name = name
        self.tensors = tensors
        self.threads = max(1, threads)
        self.budget = budget
        var offsets: [String: (first: Int, count: Int, shape: [Int])] = [:]
        var cursor = 0
        for tensor in tensors {
            let count = tensor.shape.reduce(1, *)
            offsets[tensor.name] = (cursor, count, tensor.shape)
            cursor += count
        }
        self.offsets = offsets
        elementCount = cursor
        if let folder {
            backing = .files(
                try Part.allCases.map { part in
                    let file = try OpenFile.forUpdatingOrCreating(folder + "/.optimizer-\(part).f32")
                    try file.truncate(to: 0)
                    try file.truncate(to: UInt64(cursor) * 4)
                    return file
                })
        } else {
            backing = .memory(
                try Part.allCases.map { _ in try FloatBuffer(count: cursor, budget: budget, purpose: "optimizer") })
        }
    }

    /// Whether the arrays are in files.
    public var isOutOfCore: Bool {
        if case .files = backing { return true }
        return false
    }

    /// Bytes the four arrays take.
    public static func bytes(elementCount: Int) -> UInt64 { UInt64(elementCount) * 16 }

    public func shape(of tensor: String) -> [Int]? { offsets[tensor]?.shape }

    func range(_ tensor: String, _ elements: Range<Int>) throws(ModelError) -> Range<Int> {
        guard let (first, count, _) = offsets[tensor] else { throw .missingTensor(model: name, tensor: tensor) }
        guard elements.upperBound <= count else {
            throw .shapeMismatch(model: name, tensor: tensor, expected: [count], found: [elements.upperBound])
        }
        return first + elements.lowerBound..<first + elements.upperBound
    }

    /// Reads elements `elements` of `tensor`'s `part` into `destination`.
    public func read(
        _ part: Part, _ tensor: String, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>
    ) throws {
        try read(part, range(tensor, elements), into: destination)
    }

    /// Writes `values` over elements `elements` of `tensor`'s `part`.
    public func write(
        _ part: Part, _ tensor: String, elements: Range<Int>, _ values: UnsafeBufferPointer<Float>
    )
        throws
    {
        try write(part, range(tensor, elements), values)
    }

    /// A whole tensor's `part`.
    public func values(_ part: Part = .values, of tensor: String) throws -> [Float] {
        guard let shape = shape(of: tensor) else { throw ModelError.missingTensor(model: name, tensor: tensor) }
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBufferPointer { try read(part, tensor, elements: 0..<count, into: $0) }
        return values
    }

    public func decode(
        _ tensor: String, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>
    )
        throws
    {
        try read(.values, tensor, elements: elements, into: destination)
    }

    public func add(_ tensor: String, elements: Range<Int>, _ values: UnsafeBufferPointer<Float>) throws {
        let range = try range(tensor, elements)
        switch backing {
        case .memory(let buffers):
            // checked: a non-empty range has storage (an empty one adds nothing)
            guard let base = values.baseAddress else { return }
            let (gradients, added) = (
                SharedFloats(buffers[Part.gradients.rawValue].pointer + range.lowerBound),
                SharedFloats(base)
            )
            try tiledWork(count: range.count, tile: Self.tileElementCount, threads: threads) { tile in
                for index in tile { gradients.base[index] += added.base[index] }
            }
        case .files:
            var current = [Float](repeating: 0, count: range.count)
            try current.withUnsafeMutableBufferPointer { current in
                try read(.gradients, range, into: current)
                for index in 0..<range.count { current[index] += values[index] }
                try write(.gradients, range, UnsafeBufferPointer(current))
            }
        }
    }

    /// Refuses a range past the arrays' end or of another length than its buffer.
    private func check(_ range: Range<Int>, count: Int) throws(ModelError) {
        guard range.upperBound <= elementCount, count == range.count else {
            throw .shapeMismatch(model: name, tensor: "elements \(range)", expected: [range.count], found: [count])
        }
    }

    private func read(_ part: Part, _ range: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try check(range, count: destination.count)
        switch backing {
        case .memory(let buffers):
            // checked: a buffer pointer of count ≥ 1 (precondition above for ranges; empty ranges copy nothing)
            guard let base = destination.baseAddress else { return }
            let (target, source) = (SharedFloats(base), SharedFloats(buffers[part.rawValue].pointer + range.lowerBound))
            try tiledWork(count: range.count, tile: Self.tileElementCount, threads: threads) { tile in
                (target.base + tile.lowerBound).update(from: source.base + tile.lowerBound, count: tile.count)
            }
        case .files(let files):
            try files[part.rawValue].read(
                into: UnsafeMutableRawBufferPointer(destination), at: UInt64(range.lowerBound) * 4)
        }
    }

    private func write(_ part: Part, _ range: Range<Int>, _ values: UnsafeBufferPointer<Float>) throws {
        try check(range, count: values.count)
        switch backing {
        case .memory(let buffers):
            guard let base = values.baseAddress else { return }
            (buffers[part.rawValue].pointer + range.lowerBound).update(from: base, count: range.count)
        case .files(let files):
            try files[part.rawValue].write(UnsafeRawBufferPointer(values), at: UInt64(range.lowerBound) * 4)
        }
    }

    /// Runs `body` over every tile of the arrays in `parts` (pointers to
    /// each part's tile, its element count), tiles in parallel in memory;
    /// a file-backed store reads a chunk of tiles, runs them, and writes
    /// back the parts in `writing`.
    private func forEachTile(
        _ parts: [Part], writing: [Part],
        _ body: @Sendable (_ tile: Int, _ pointers: [SharedFloats], _ count: Int) -> Void
    ) throws {
        let tile = Self.tileElementCount
        let tiles = (elementCount + tile - 1) / tile
        switch backing {
        case .memory(let buffers):
            let bases = parts.map { SharedFloats(buffers[$0.rawValue].pointer) }
            try parallelWork(count: tiles, threads: threads) { index, _ in
                let start = index * tile
                body(index, bases.map { SharedFloats($0.base + start) }, min(tile, elementCount - start))
            }
        case .files:
            let chunk = tile * Self.tilesPerChunk
            let buffers = try parts.map { _ in try FloatBuffer(count: chunk, budget: budget, purpose: "optimizer") }
            for start in stride(from: 0, to: elementCount, by: chunk) {
                let range = start..<min(elementCount, start + chunk)
                for (part, buffer) in zip(parts, buffers) {
                    try read(part, range, into: UnsafeMutableBufferPointer(start: buffer.pointer, count: range.count))
                }
                let first = start / tile
                let count = (range.count + tile - 1) / tile
                try parallelWork(count: count, threads: threads) { index, _ in
                    let offset = index * tile
                    body(
                        first + index, buffers.map { SharedFloats($0.pointer + offset) },
                        min(tile, range.count - offset))
                }
                for (part, buffer) in zip(parts, buffers) where writing.contains(part) {
                    try write(part, range, UnsafeBufferPointer(start: buffer.pointer, count: range.count))
                }
            }
        }
    }

    /// The gradients' global L2 norm: each tile's Σ g² in Float64, the
    /// tiles' sums added in order.
    public func gradientNorm() throws -> Double {
        let tiles = (elementCount + Self.tileElementCount - 1) / Self.tileElementCount
        let sums = Mutex([Double](repeating: 0, count: tiles))
        try forEachTile([.gradients], writing: []) { tile, pointers, count in
            var sum = 0.0
            let gradients = pointers[0].base
            for index in 0..<count { sum += Double(gradients[index]) * Double(gradients[index]) }
            sums.withLock { $0[tile] = sum }
        }
        return sums.withLock { $0.reduce(0, +) }.squareRoot()
    }

    /// One AdamW step over every tensor with the gradients times
    /// `gradientScale` (clipping; 1 leaves them as they are), then the
    /// gradients set to zero for the next step.
    public func step(_ optimizer: inout AdamW, gradientScale: Float) throws {
        let coefficients = optimizer.nextStep()
        try forEachTile(
            [.values, .firstMoments, .secondMoments, .gradients],
            writing: [.values, .firstMoments, .secondMoments, .gradients]
        ) { _, pointers, count in
            let gradients = pointers[3].base
            if gradientScale != 1 { for index in 0..<count { gradients[index] *= gradientScale } }
            AdamW.update(
                values: pointers[0].base, first: pointers[1].base, second: pointers[2].base,
                gradients: UnsafePointer(gradients), count: count, coefficients)
            gradients.update(repeating: 0, count: count)
        }
    }
}
