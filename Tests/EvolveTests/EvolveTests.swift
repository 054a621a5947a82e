import Testing

@testable import Evolve

@Suite struct EvolveModuleTests {
    @Test func moduleLinks() {
        #expect(String(describing: Evolve.self) == "Evolve")
    }
}
