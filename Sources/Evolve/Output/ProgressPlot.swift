/// `evolve-progress.svg`: every evaluation's fitness, each generation's
/// best and the best so far against evaluations, as a standalone SVG that
/// a browser opens. Fitness that is not finite is left out.
public enum ProgressPlot {
    public static let fileName = "evolve-progress.svg"

    static let width = 760.0
    static let height = 440.0
    static let left = 80.0
    static let right = 24.0
    static let top = 48.0
    static let bottom = 56.0

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
        let xMax = Double(max(1, records.count))
        var yMin = points.map(\.fitness).min() ?? 0
        var yMax = points.map(\.fitness).max() ?? 1
        if yMax - yMin < 1e-12 {
            yMin -= 0.5
            yMax += 0.5
        }
        let pad = (yMax - yMin) * 0.05
        yMin -= pad
        yMax += pad
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func sx(_ x: Double) -> Double { left + (xMax <= 1 ? 0.5 : (x - 1) / (xMax - 1)) * plotWidth }
        func sy(_ y: Double) -> Double { top + (yMax - y) / (yMax - yMin) * plotHeight }
        func number(_ value: Double) -> String { String(Double((value * 100).rounded()) / 100) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(number(width / 2))" y="24" text-anchor="middle" font-size="15">\(escaped(title))</text>

            """
        // Axes and ticks.
        svg += "<g stroke=\"#444\" fill=\"none\">"
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\"/></g>\n"
        for tick in 0...4 {
            let y = yMin + (yMax - yMin) * Double(tick) / 4
            svg +=
                "<line x1=\"\(left - 4)\" y1=\"\(number(sy(y)))\" x2=\"\(left + plotWidth)\" y2=\"\(number(sy(y)))\" "
            svg += "stroke=\"#ddd\"/>\n"
            svg += "<text x=\"\(left - 8)\" y=\"\(number(sy(y) + 4))\" text-anchor=\"end\">\(shortText(y))</text>\n"
        }
        for tick in xTicks(Int(xMax)) {
            let x = sx(Double(tick))
            svg +=
                "<text x=\"\(number(x))\" y=\"\(number(top + plotHeight + 18))\" text-anchor=\"middle\">\(tick)</text>\n"
        }
        svg += "<text x=\"\(number(left + plotWidth / 2))\" y=\"\(number(height - 14))\" text-anchor=\"middle\">"
        svg += "evaluations</text>\n"
        svg += "<text x=\"18\" y=\"\(number(top + plotHeight / 2))\" text-anchor=\"middle\" "
        svg +=
            "transform=\"rotate(-90 18 \(number(top + plotHeight / 2)))\">fitness (mean NLL, lower is better)</text>\n"
        // Every evaluation, each generation's best, the best so far.
        for record in points {
            svg += "<circle cx=\"\(number(sx(Double(record.evaluation + 1))))\" cy=\"\(number(sy(record.fitness)))\" "
            svg += "r=\"2.5\" fill=\"#9ab\"/>\n"
        }
        let generations = generationBest.keys.sorted().compactMap { generationBest[$0] }
        svg += polyline(generations.map { (sx($0.x), sy($0.y)) }, color: "#e07b00", dashed: true)
        svg += polyline(best.map { (sx($0.x), sy($0.y)) }, color: "#1f5fbf", dashed: false)
        for (index, entry) in [
            ("every evaluation", "#9ab"), ("best of each generation", "#e07b00"), ("best so far", "#1f5fbf"),
        ]
        .enumerated() {
            let y = top + 12 + Double(index) * 16
            svg += "<rect x=\"\(number(left + plotWidth - 170))\" y=\"\(number(y - 9))\" width=\"10\" height=\"10\" "
            svg += "fill=\"\(entry.1)\"/>"
            svg += "<text x=\"\(number(left + plotWidth - 154))\" y=\"\(number(y))\">\(entry.0)</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func polyline(_ points: [(Double, Double)], color: String, dashed: Bool) -> String {
        guard !points.isEmpty else { return "" }
        let coordinates = points.map {
            "\(Double(($0.0 * 100).rounded()) / 100),\(Double(($0.1 * 100).rounded()) / 100)"
        }
        return
            "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"5 3\"" : "") "
            + "points=\"\(coordinates.joined(separator: " "))\"/>\n"
    }

    /// About six round evaluation counts from 1 to `count`.
    static func xTicks(_ count: Int) -> [Int] {
        guard count > 1 else { return [1] }
        let raw = Double(count) / 6
        let magnitude = pow10(Int(raw.isFinite && raw >= 1 ? Double(String(Int(raw)).count - 1) : 0))
        let step = [1, 2, 5, 10].map { $0 * magnitude }.first { Double($0) >= raw } ?? 10 * magnitude
        return [1] + stride(from: step, through: count, by: step).filter { $0 > 1 }
    }

    static func pow10(_ exponent: Int) -> Int { (0..<exponent).reduce(1) { value, _ in value * 10 } }

    /// A tick label: four significant decimals.
    static func shortText(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded() / 10_000
        return "\(scaled)"
    }

    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
