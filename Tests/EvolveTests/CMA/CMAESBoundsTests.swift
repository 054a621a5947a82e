import Testing

@testable import Evolve

@Suite struct CMAESBoundsTests {
    @Test(arguments: [
        (0.5, 0.5), (-0.25, 0.25), (1.25, 0.75), (2.25, 0.25), (-1.75, 0.25), (10.5, 0.5), (3, 1), (-2, 0),
    ])
    func mirrorsWithPeriodTwiceTheWidth(x: Double, expected: Double) {
        #expect(CMAESBounds.mirror(x, lower: 0, upper: 1) == expected)
    }

    @Test func oneSidedBoundsReflectOnce() {
        #expect(CMAESBounds.mirror(-3, lower: 1, upper: .infinity) == 5)
        #expect(CMAESBounds.mirror(7, lower: -.infinity, upper: 2) == -3)
        #expect(CMAESBounds.mirror(-7, lower: -.infinity, upper: 2) == -7)
    }

    @Test func farPointsLandInside() {
        for x in [-1e15, -12345.678, 98765.4321, 1e15] {
            let mirrored = CMAESBounds.mirror(x, lower: -0.3, upper: 0.7)
            #expect(mirrored >= -0.3 && mirrored <= 0.7)
        }
    }
}
