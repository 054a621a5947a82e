import Testing

@testable import Merge

/// The spherical means' coefficients stay finite at every tolerance: an
/// angle or a step of exactly zero is no step, not zero divided by zero.
@Suite struct SphericalMathTests {
    static let grams: [[[Double]]] = [
        [[1, 0.5], [0.5, 1]],
        [[4, 1], [1, 9]],
        [[1, 1], [1, 1]],
        [[2, 0, 0], [0, 2, 0], [0, 0, 2]],
    ]

    @Test(arguments: [0.0, 1e-5], grams.indices)
    func karcherCoefficientsAreFiniteAtAnyTolerance(tolerance: Double, gram: Int) {
        let coefficients = SphericalMath.karcher(gram: Self.grams[gram], maxIterations: 10, tolerance: tolerance)
        #expect(coefficients.allSatisfy { $0.isFinite }, "\(coefficients)")
    }
}
