import COpenBLAS

/// Float32 matrix products through OpenBLAS (`cblas_sgemm`), row-major.
///
/// Determinism: OpenBLAS is pinned to one thread per call, so a product's
/// bytes depend only on its operands, its shapes and the kernels of the
/// CPU's instruction set; callers parallelise over fixed tiles (rows of a
/// record, heads, vocabulary blocks) whose bounds never depend on
/// `--threads` or the memory budget.
public enum MatrixProduct {
    /// Chooses OpenBLAS's kernels by instruction set and pins it to one
    /// thread per call (its own threads would both oversubscribe the
    /// Dispatch workers and split the sums differently). The kernels' name.
    public static let kernelName: String = String(cString: smelt_openblas_configure())

    /// OpenBLAS computes products of at most this many multiply-adds
    /// (m·n·k) with its small-matrix kernels, which may round differently
    /// from its blocked kernels (`sgemm_small_kernel_permit` of its x86-64
    /// kernels: 100³).
    public static let smallProductLimit = 1_000_000

    /// The fewest rows a product with `n` outputs of `k` inputs needs to
    /// stay above `smallProductLimit`: a caller that pads its calls to this
    /// many rows gets each row's result from the same kernels whatever the
    /// call's size, so a row of `c` depends only on its row of `a` and on `b`.
    public static func minimumRowCount(n: Int, k: Int) -> Int {
        max(1, smallProductLimit / max(1, n * k) + 1)
    }

    /// `c[m×n] = alpha · a[m×k] · b` plus `beta · c`, where `b` is `[k×n]`,
    /// or `[n×k]` read transposed when `transposeB` (how weights are stored:
    /// one output feature per row), and `a` is `[k×m]` read transposed when
    /// `transposeA` (a weight's gradient, `dYᵀ · X`). Leading dimensions are
    /// row strides.
    @inlinable
    public static func multiply(
        m: Int, n: Int, k: Int, alpha: Float = 1, transposeA: Bool = false, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool, beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = kernelName
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
