import Compute
import Testing

/// What the forward pass's determinism rests on: a row of a product is a
/// function of that row of `a` and of `b` alone, whatever the other rows,
/// their number and the row's place in the call, as long as the call is
/// larger than `MatrixProduct.smallProductLimit` (OpenBLAS computes smaller
/// products with other kernels, which may round differently).
@Suite struct MatrixProductTests {
    /// (n, k): weight shapes of the real models' projections and a vocabulary block.
    static let shapes = [(192, 576), (1_536, 576), (576, 1_536), (896, 4_864), (1_024, 640), (64, 64)]

    @Test(arguments: shapes)
    func rowsDoNotDependOnTheOtherRowsOfTheCall(shape: (Int, Int)) {
        let (n, k) = shape
        let rowCount = 600
        var generator = LinearCongruential(seed: UInt64(n * k))
        let a = (0..<(rowCount * k)).map { _ in generator.nextFloat() }
        let b = (0..<(n * k)).map { _ in generator.nextFloat() }
        let whole = product(a, b, rows: 0..<rowCount, n: n, k: k)
        let minimumRows = MatrixProduct.minimumRowCount(n: n, k: k)
        for rows in [0..<1, 0..<2, 3..<10, 5..<22, 100..<355, 255..<256, 17..<600, 599..<600] {
            let padded = rows.lowerBound..<max(rows.upperBound, min(rowCount, rows.lowerBound + minimumRows))
            guard padded.count >= minimumRows else { continue }
            let part = product(a, b, rows: padded, n: n, k: k)
            let expected = whole[(rows.lowerBound * n)..<(rows.upperBound * n)]
            let differing = zip(part.prefix(rows.count * n), expected).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "n \(n) k \(k) rows \(rows): \(differing) values differ")
        }
    }

    @Test func minimumRowCountKeepsProductsAboveTheSmallLimit() {
        for (n, k) in Self.shapes {
            let rows = MatrixProduct.minimumRowCount(n: n, k: k)
            #expect(rows * n * k > MatrixProduct.smallProductLimit)
            #expect(rows == 1 || (rows - 1) * n * k <= MatrixProduct.smallProductLimit)
        }
    }

    private func product(_ a: [Float], _ b: [Float], rows: Range<Int>, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: rows.count * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    // checked: the arrays are non-empty
                    MatrixProduct.multiply(
                        m: rows.count, n: n, k: k, a: a.baseAddress! + rows.lowerBound * k, lda: k, b: b.baseAddress!,
                        ldb: k, transposeB: true, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }
}

/// A small deterministic generator of floats in [-1, 1).
struct LinearCongruential {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 6_364_136_223_846_793_005 &+ 1 }
    mutating func nextFloat() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}
