import Foundation
import Testing

@testable import Base

@Suite struct PortableMathTests {
    static let arguments: [Double] = [1e-300, 1e-10, 0.1, 0.5, 0.9999, 1, 1.5, 2, 3, 10, 123.456, 1e10, 1e300]

    @Test(arguments: arguments)
    func logAgreesWithTheCLibrary(x: Double) {
        #expect(abs(PortableMath.log(x) - Foundation.log(x)) <= 4 * Foundation.log(x).ulp.magnitude + 1e-300)
    }

    @Test(arguments: [-700, -20, -1, -1e-9, 0, 1e-9, 0.3, 1, 5, 100, 700])
    func expAgreesWithTheCLibrary(x: Double) {
        #expect(abs(PortableMath.exp(x) - Foundation.exp(x)) <= 4 * Foundation.exp(x).ulp)
    }

    @Test func edgeCasesFollowTheCLibrary() {
        #expect(PortableMath.log(0) == -.infinity)
        #expect(PortableMath.log(-1).isNaN)
        #expect(PortableMath.log(.infinity) == .infinity)
        #expect(PortableMath.exp(1000) == .infinity)
        #expect(PortableMath.exp(-1000) == 0)
        #expect(PortableMath.exp(0) == 1)
    }
}
