/// The eigendecomposition of a real symmetric matrix by the cyclic Jacobi method (Golub and Van Loan, "Matrix
/// Computations", 4th ed., section 8.5): plane rotations in a fixed row-by-row order annihilate the
/// off-diagonal entries until they are negligible. Slower than tridiagonal QR but short, accurate for small
/// matrices and deterministic: the same input gives bit-identical output on every machine.
struct SymmetricEigen: Sendable, Equatable {
    /// The eigenvalues, in the order of the columns of `eigenvectors` (not sorted).
    var eigenvalues: [Double]
    /// Orthonormal eigenvectors, row-major: column j (entries `[i * n + j]`) belongs to `eigenvalues[j]`.
    var eigenvectors: [Double]

    /// The most sweeps before giving up; quadratic convergence needs well under 20 for n <= 200.
    static let maximumSweepCount = 50

    /// Decomposes the symmetric `matrix` (row-major, `dimension` x `dimension`; only the upper triangle is read).
    init(symmetric matrix: [Double], dimension n: Int) {
        var a = matrix
        var vectors = [Double](repeating: 0, count: n * n)
        for i in 0..<n { vectors[i * n + i] = 1 }
        a.withUnsafeMutableBufferPointer { a in
            vectors.withUnsafeMutableBufferPointer { v in
                for i in 0..<n {
                    for j in 0..<i { a[i * n + j] = a[j * n + i] }
                }
                for _ in 0..<Self.maximumSweepCount {
                    guard Self.sweep(a, v, n) else { break }
                }
            }
        }
        eigenvalues = (0..<n).map { a[$0 * n + $0] }
        eigenvectors = vectors
    }

    /// One sweep over all pairs (p, q), p < q; false when every off-diagonal entry was already negligible.
    private static func sweep(
        _ a: UnsafeMutableBufferPointer<Double>, _ v: UnsafeMutableBufferPointer<Double>,
        _ n: Int
    ) -> Bool {
        var rotated = false
        for p in 0..<n {
            for q in (p + 1)..<n {
                let apq = a[p * n + q]
                let app = a[p * n + p]
                let aqq = a[q * n + q]
                // Negligible against both diagonal entries: dropping it changes no eigenvalue beyond rounding.
                if abs(apq) <= 0x1p-60 * (abs(app) + abs(aqq)) || apq == 0 {
                    a[p * n + q] = 0
                    a[q * n + p] = 0
                    continue
                }
                rotated = true
                // The rotation angle of Golub and Van Loan's algorithm 8.5.1, the smaller root for stability.
                let theta = (aqq - app) / (2 * apq)
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot()
                let s = t * c
                for k in 0..<n {
                    let akp = a[k * n + p]
                    let akq = a[k * n + q]
                    a[k * n + p] = c * akp - s * akq
                    a[k * n + q] = s * akp + c * akq
                }
                for k in 0..<n {
                    let apk = a[p * n + k]
                    let aqk = a[q * n + k]
                    a[p * n + k] = c * apk - s * aqk
                    a[q * n + k] = s * apk + c * aqk
                }
                a[p * n + q] = 0
                a[q * n + p] = 0
                for k in 0..<n {
                    let vkp = v[k * n + p]
                    let vkq = v[k * n + q]
                    v[k * n + p] = c * vkp - s * vkq
                    v[k * n + q] = s * vkp + c * vkq
                }
            }
        }
        return rotated
    }
}
