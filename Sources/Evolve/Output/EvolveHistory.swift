/// `evolve-history.csv`: one row per evaluation, in order, after a header
/// line: generation, evaluation (both from 0), fitness, seconds, then the
/// genome's values under their names. Numbers are written so that they
/// read back to the same Double.
public enum EvolveHistory {
    public static let fileName = "evolve-history.csv"

    public static func render(_ records: [EvaluationRecord], valueNames: [String]) -> String {
        var text = (["generation", "evaluation", "fitness", "seconds"] + valueNames.map(quoted)).joined(separator: ",")
        text += "\n"
        for record in records {
            let fields =
                ["\(record.generation)", "\(record.evaluation)", "\(record.fitness)", seconds(record.seconds)]
                + record.values.map { "\($0)" }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Seconds to the millisecond.
    static func seconds(_ value: Double) -> String {
        let milliseconds = Int((value * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
