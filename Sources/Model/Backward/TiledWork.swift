import Compute

/// A pointer that worker closures may share: each worker writes its own
/// fixed range of it between barriers.
struct SharedFloats: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>

    init(_ base: UnsafeMutablePointer<Float>) { self.base = base }
    init(_ base: UnsafePointer<Float>) { self.base = UnsafeMutablePointer(mutating: base) }
}

/// Runs `body` over fixed ranges of `0..<count`, `tile` items each (the
/// last shorter), on up to `threads` workers. The ranges never depend on
/// the thread count, so neither does what each one computes.
func tiledWork(count: Int, tile: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) throws {
    guard count > 0 else { return }
    let tiles = (count + tile - 1) / tile
    if threads <= 1 || tiles == 1 {
        for index in 0..<tiles { body(index * tile..<min(count, (index + 1) * tile)) }
        return
    }
    try parallelWork(count: tiles, threads: threads) { index, _ in
        body(index * tile..<min(count, (index + 1) * tile))
    }
}

/// The products of training, split into fixed tiles of rows (or of a
/// weight's output features) that run in parallel. Row tiles change only
/// which call computes a row; feature tiles of a weight's gradient each
/// sum over every row in one call. Either way a result depends on the
/// operands alone, not on `threads`.
struct TiledProducts: Sendable {
    let threads: Int
    /// Rows of a batch one call multiplies.
    static let rowTile = 256
    /// Output features of a weight's gradient one call computes: a
    /// quarter of them (each call packs all of the input rows again), in
    /// multiples of 64.
    static func featureTile(_ outputWidth: Int) -> Int { max(64, (outputWidth + 255) / 256 * 64) }

    /// `Y (+)= X · Wᵀ (+ b)`, W stored `[outputWidth × inputWidth]`.
    func linear(
        _ input: UnsafePointer<Float>, rows: Int, inputWidth: Int, inputStride: Int, weight: UnsafePointer<Float>,
        outputWidth: Int, bias: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Float>, outputStride: Int,
        accumulating: Bool = false
    ) throws {
        let (x, w, y) = (SharedFloats(input), SharedFloats(weight), SharedFloats(output))
        let b = bias.map { SharedFloats($0) }
        try tiledWork(count: rows, tile: Self.rowTile, threads: threads) { range in
            Kernels.linear(
                x.base + range.lowerBound * inputStride, rows: range.count, inputWidth: inputWidth,
                inputStride: inputStride, weight: w.base, outputWidth: outputWidth,
                bias: b.map { UnsafePointer($0.base) },
                y.base + range.lowerBound * outputStride, outputStride: outputStride, accumulating: accumulating)
        }
    }

    /// `dX (+)= dY · W` for `Y = X · Wᵀ`.
    func linearInput(
        _ outputGradient: UnsafePointer<Float>, rows: Int, outputWidth: Int, outputStride: Int,
        weight: UnsafePointer<Float>, inputWidth: Int, _ inputGradient: UnsafeMutablePointer<Float>,
        inputStride: Int, accumulating: Bool = false
    ) throws {
        let (dy, w, dx) = (SharedFloats(outputGradient), SharedFloats(weight), SharedFloats(inputGradient))
        try tiledWork(count: rows, tile: Self.rowTile, threads: threads) { range in
            MatrixProduct.multiply(
                m: range.count, n: inputWidth, k: outputWidth, a: dy.base + range.lowerBound * outputStride,
                lda: outputStride, b: w.base, ldb: inputWidth, transposeB: false, beta: accumulating ? 1 : 0,
                c: dx.base + range.lowerBound * inputStride, ldc: inputStride)
        }
    }

    /// `dW += dYᵀ · X` for `Y = X · Wᵀ`, a tile of W's rows per call.
    func linearWeight(
        _ outputGradient: UnsafePointer<Float>, rows: Int, outputWidth: Int, outputStride: Int,
        input: UnsafePointer<Float>, inputWidth: Int, inputStride: Int, _ weightGradient: UnsafeMutablePointer<Float>
    ) throws {
        let (dy, x, dw) = (SharedFloats(outputGradient), SharedFloats(input), SharedFloats(weightGradient))
        try tiledWork(count: outputWidth, tile: Self.featureTile(outputWidth), threads: threads) { range in
            MatrixProduct.multiply(
                m: range.count, n: inputWidth, k: rows, transposeA: true, a: dy.base + range.lowerBound,
                lda: outputStride, b: x.base, ldb: inputStride, transposeB: false, beta: 1,
                c: dw.base + range.lowerBound * inputWidth, ldc: inputWidth)
        }
    }
}
