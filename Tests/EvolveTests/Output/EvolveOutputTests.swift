import Testing

@testable import Evolve

/// evolve-history.csv and evolve-progress.svg.
@Suite struct EvolveOutputTests {
    static let records = [
        EvaluationRecord(
            evaluation: 0, generation: 0, fitness: 1.5, seconds: 2.0004, setMeans: [1.5], values: [0.5, 1]),
        EvaluationRecord(
            evaluation: 1, generation: 0, fitness: .infinity, seconds: 0.25, setMeans: [.infinity], values: [0.25, 1]),
        EvaluationRecord(
            evaluation: 2, generation: 1, fitness: 1.25, seconds: 12, setMeans: [1.25],
            values: [0.1, 0.30000000000000004]),
    ]

    @Test func theHistoryHasAHeaderAndOneRowPerEvaluation() {
        let text = EvolveHistory.render(Self.records, valueNames: ["g0.a.weight", "g0.a,\"odd\".density"])
        #expect(
            text == """
                generation,evaluation,fitness,seconds,g0.a.weight,"g0.a,""odd"".density"
                0,0,1.5,2.000,0.5,1.0
                0,1,inf,0.250,0.25,1.0
                1,2,1.25,12.000,0.1,0.30000000000000004

                """)
    }

    @Test func thePlotShowsFiniteEvaluationsAndItsTwoLines() {
        let svg = ProgressPlot.render(Self.records, title: "a <search> & more")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 2)
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("a &lt;search&gt; &amp; more"))
        #expect(!svg.contains("inf") && !svg.contains("nan"))
    }
}
