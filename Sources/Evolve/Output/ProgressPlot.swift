import Base

/// `evolve-progress.svg`: every evaluation's fitness, each generation's
/// best and the best so far against evaluations, as a standalone SVG that
/// a browser opens (`LinePlot`). Fitness that is not finite is left out.
public enum ProgressPlot {
    public static let fileName = "evolve-progress.svg"

    public static func render(_ records: [EvaluationRecord], title: String) -> String {
        let points = records.filter { $0.fitness.isFinite }
        var best: [(x: Double, y: Double)] = []
        var generationBest: [Int: (x: Double, y: Double)] = [:]
        var lowest = Double.infinity
        for record in points {
            let x = Double(record.evaluation + 1)
            lowest = min(lowest, record.fitness)
            best.append((x, lowest))
            if generationBest[record.generation].map({ record.fitness < $0.y }) ?? true {
                generationBest[record.generation] = (x, record.fitness)
            }
        }
        let generations = generationBest.keys.sorted().compactMap { generationBest[$0] }
        return LinePlot(
            title: title, xLabel: "evaluations", yLabel: "fitness (mean NLL, lower is better)",
            xMaximum: records.count,
            series: [
                .init(
                    name: "every evaluation", color: "#9ab", style: .dots,
                    points: points.map { (Double($0.evaluation + 1), $0.fitness) }),
                .init(name: "best of each generation", color: "#e07b00", style: .dashedLine, points: generations),
                .init(name: "best so far", color: "#1f5fbf", style: .line, points: best),
            ]
        ).rendered()
    }
}
