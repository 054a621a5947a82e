import Testing

@testable import Evolve

@Suite struct SymmetricEigenTests {
    /// A symmetric matrix with entries from the seeded generator.
    static func randomSymmetric(dimension n: Int, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed)
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                matrix[i * n + j] = random.nextNormal()
                matrix[j * n + i] = matrix[i * n + j]
            }
        }
        return matrix
    }

    @Test(arguments: [1, 2, 5, 30])
    func reconstructsTheMatrixWithOrthonormalVectors(dimension n: Int) {
        let matrix = Self.randomSymmetric(dimension: n, seed: UInt64(n))
        let eigen = SymmetricEigen(symmetric: matrix, dimension: n)
        let b = eigen.eigenvectors
        for i in 0..<n {
            for j in 0..<n {
                var product = 0.0
                var gram = 0.0
                for k in 0..<n {
                    product += b[i * n + k] * eigen.eigenvalues[k] * b[j * n + k]
                    gram += b[k * n + i] * b[k * n + j]
                }
                #expect(abs(product - matrix[i * n + j]) < 1e-12 * Double(n))
                #expect(abs(gram - (i == j ? 1 : 0)) < 1e-13 * Double(n))
            }
        }
    }

    @Test func diagonalMatrixKeepsItsValues() {
        let eigen = SymmetricEigen(symmetric: [3, 0, 0, 0, 1e-6, 0, 0, 0, 1e6], dimension: 3)
        #expect(eigen.eigenvalues == [3, 1e-6, 1e6])
        #expect(eigen.eigenvectors == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    }
}
