import Compute
import Foundation
import Testing

@Suite struct VectorExponentialTests {
    @Test func matchesTheLibraryExponentialWithinTwoUlp() {
        var worst = 0.0
        for step in 0...20_000 {
            let x = Float(-87 + Double(step) * 175 / 20_000)
            let found = VectorExponential.exp(SIMD8<Float>(repeating: x))[0]
            let expected = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(found) - expected) / expected)
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
    }

    @Test func sendsMinusInfinityToZeroAndSumsInFloat64() {
        #expect(VectorExponential.exp(SIMD8<Float>(repeating: -.infinity)) == SIMD8<Float>(repeating: 0))
        let values: [Float] = (0..<19).map { Float($0) / 4 }
        let sum = values.withUnsafeBufferPointer {
            VectorExponential.sumOfExponentials($0.baseAddress!, count: 19, shift: 2)
        }
        let expected = values.reduce(0.0) { $0 + Foundation.exp(Double($1) - 2) }
        #expect(abs(sum - expected) / expected < 3e-7)
    }
}
