/// A chart as a standalone SVG that a browser opens: series of points
/// (dots, lines or dashed lines) against x from 1 to `xMaximum`, with a
/// title, axis labels, five y ticks, about six round x ticks and a legend.
/// Points whose y is not finite are left out; the y range is the finite
/// values' with 5 % to spare. `smelt evolve` draws fitness with it,
/// `smelt distill` the training loss.
public struct LinePlot: Sendable {
    /// How a series is drawn.
    public enum Style: Sendable {
        case dots
        case line
        case dashedLine
    }

    /// One series: its legend, colour (an SVG colour), style and points.
    public struct Series: Sendable {
        public var name: String
        public var color: String
        public var style: Style
        public var points: [(x: Double, y: Double)]

        public init(name: String, color: String, style: Style, points: [(x: Double, y: Double)]) {
            self.name = name
            self.color = color
            self.style = style
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// The right end of the x axis (at least 1; the axis starts at 1).
    public var xMaximum: Int
    public var series: [Series]

    public init(title: String, xLabel: String, yLabel: String, xMaximum: Int, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xMaximum = xMaximum
        self.series = series
    }

    static let width = 760.0
    static let height = 440.0
    static let left = 80.0
    static let right = 24.0
    static let top = 48.0
    static let bottom = 56.0

    /// The SVG document.
    public func rendered() -> String {
        let (width, height, left, top) = (Self.width, Self.height, Self.left, Self.top)
        let shown = series.map { entry in entry.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let values = shown.flatMap { $0.map(\.y) }
        let xMax = Double(max(1, xMaximum))
        var yMin = values.min() ?? 0
        var yMax = values.max() ?? 1
        if yMax - yMin < 1e-12 {
            yMin -= 0.5
            yMax += 0.5
        }
        let pad = (yMax - yMin) * 0.05
        yMin -= pad
        yMax += pad
        let plotWidth = width - left - Self.right
        let plotHeight = height - top - Self.bottom
        func sx(_ x: Double) -> Double { left + (xMax <= 1 ? 0.5 : (x - 1) / (xMax - 1)) * plotWidth }
        func sy(_ y: Double) -> Double { top + (yMax - y) / (yMax - yMin) * plotHeight }
        func number(_ value: Double) -> String { String(Double((value * 100).rounded()) / 100) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(number(width / 2))" y="24" text-anchor="middle" font-size="15">\(Self.escaped(title))</text>

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
            svg +=
                "<text x=\"\(left - 8)\" y=\"\(number(sy(y) + 4))\" text-anchor=\"end\">\(Self.shortText(y))</text>\n"
        }
        for tick in Self.xTicks(Int(xMax)) {
            let x = sx(Double(tick))
            svg +=
                "<text x=\"\(number(x))\" y=\"\(number(top + plotHeight + 18))\" "
                + "text-anchor=\"middle\">\(tick)</text>\n"
        }
        svg += "<text x=\"\(number(left + plotWidth / 2))\" y=\"\(number(height - 14))\" text-anchor=\"middle\">"
        svg += "\(Self.escaped(xLabel))</text>\n"
        svg += "<text x=\"18\" y=\"\(number(top + plotHeight / 2))\" text-anchor=\"middle\" "
        svg += "transform=\"rotate(-90 18 \(number(top + plotHeight / 2)))\">\(Self.escaped(yLabel))</text>\n"
        for (entry, points) in zip(series, shown) {
            switch entry.style {
            case .dots:
                for point in points {
                    svg += "<circle cx=\"\(number(sx(point.x)))\" cy=\"\(number(sy(point.y)))\" "
                    svg += "r=\"2.5\" fill=\"\(entry.color)\"/>\n"
                }
            case .line, .dashedLine:
                svg += Self.polyline(
                    points.map { (sx($0.x), sy($0.y)) }, color: entry.color, dashed: entry.style == .dashedLine)
            }
        }
        for (index, entry) in series.enumerated() {
            let y = top + 12 + Double(index) * 16
            svg += "<rect x=\"\(number(left + plotWidth - 170))\" y=\"\(number(y - 9))\" width=\"10\" height=\"10\" "
            svg += "fill=\"\(entry.color)\"/>"
            svg +=
                "<text x=\"\(number(left + plotWidth - 154))\" y=\"\(number(y))\">\(Self.escaped(entry.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func polyline(_ points: [(Double, Double)], color: String, dashed: Bool) -> String {
        guard !points.isEmpty else { return "" }
        let coordinates = points.map {
            "\(Double(($0.0 * 100).rounded()) / 100),\(Double(($0.1 * 100).rounded()) / 100)"
        }
        return
            "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\""
            + (dashed ? " stroke-dasharray=\"5 3\"" : "") + " "
            + "points=\"\(coordinates.joined(separator: " "))\"/>\n"
    }

    /// About six round values from 1 to `count`.
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
