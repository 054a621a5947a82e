import Distill
import Testing

/// `train-loss.svg` draws the loss of every row and the evaluation loss
/// of the rows that have one.
@Suite struct TrainingPlotTests {
    static let rows = """
        1,2.5,2.5,,0.001,1.0,100,
        2,2.25,2.25,,0.001,1.0,100,2.75
        3,2.0,2.0,,0.001,1.0,100,
        4,1.75,1.75,,0.001,1.0,100,2.5

        """

    @Test func drawsTheLossAsALineAndEachEvaluationAsAPoint() {
        let svg = TrainingPlot.render(logRows: Self.rows, evaluates: true, title: "a <run>")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 2)
        #expect(svg.contains("a &lt;run&gt;") && svg.contains("evaluation loss"))
    }

    @Test func withoutEvaluationThereIsNoEvaluationSeries() {
        let svg = TrainingPlot.render(logRows: Self.rows, evaluates: false, title: "run")
        #expect(!svg.contains("<circle") && !svg.contains("evaluation loss"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1)
    }
}
