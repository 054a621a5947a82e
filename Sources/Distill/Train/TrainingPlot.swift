import Base

/// `train-loss.svg`: the training loss of every step and, with `--eval`,
/// the evaluation loss where it was computed, against the step, as a
/// standalone SVG that a browser opens (`LinePlot`).
public enum TrainingPlot {
    public static let fileName = "train-loss.svg"

    /// The plot of `train-log.csv`'s rows (without the header): step in
    /// the first column, loss in the second and, when `evaluates`, the
    /// evaluation loss in the last (empty where none was computed).
    public static func render(logRows: String, evaluates: Bool, title: String) -> String {
        var losses: [(x: Double, y: Double)] = []
        var evaluationLosses: [(x: Double, y: Double)] = []
        for row in logRows.split(separator: "\n") {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 2, let step = Double(fields[0]) else { continue }
            if let loss = Double(fields[1]) { losses.append((step, loss)) }
            if evaluates, let last = fields.last, let loss = Double(last) { evaluationLosses.append((step, loss)) }
        }
        var series = [LinePlot.Series(name: "training loss", color: "#1f5fbf", style: .line, points: losses)]
        if evaluates {
            series.append(.init(name: "evaluation loss", color: "#e07b00", style: .dots, points: evaluationLosses))
        }
        let lastStep = Int(losses.last?.x ?? 1)
        return LinePlot(
            title: "smelt distill: " + title, xLabel: "step", yLabel: "loss (nats per token, lower is better)",
            xMaximum: lastStep, series: series
        ).rendered()
    }
}
