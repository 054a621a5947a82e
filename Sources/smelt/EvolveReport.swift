import Base
import Evolve

/// The progress line of `smelt evolve` on standard error: generation,
/// evaluations, best fitness and ETA, rewritten in place on a terminal and
/// one line per finished generation elsewhere (a log).
struct EvolveProgressLine {
    let isEnabled: Bool
    let isTerminal: Bool

    init(enabled: Bool) {
        isEnabled = enabled
        isTerminal = Base.isTerminal(2)
    }

    func show(_ progress: EvolveProgress) {
        guard isEnabled else { return }
        let remaining = max(0, progress.maxEvaluations - progress.evaluations)
        let eta = progress.secondsPerEvaluation.map { "ETA \(Int(($0 * Double(remaining)).rounded()))s" } ?? "replaying"
        let text =
            "evolve: generation \(progress.generation + 1), \(progress.evaluations)/\(progress.maxEvaluations) "
            + "evaluations, best \(Formatting.decimal(progress.bestFitness, places: 5)), \(eta)"
        if isTerminal {
            writeToStandardError("\r" + text + " \u{1B}[K", terminator: "")
        } else if progress.endsGeneration {
            writeToStandardError(text)
        }
    }

    func finish() {
        if isEnabled && isTerminal { writeToStandardError("") }
    }
}

/// What `smelt evolve` prints when it is done.
enum EvolveReport {
    static func text(_ result: EvolveResult) -> String {
        let best = result.best
        var text = "evolved \(result.outputPath): best fitness \(best.fitness) at evaluation \(best.evaluation) "
        text += "(generation \(best.generation + 1)) of \(result.records.count)"
        if result.keptEvaluations > 0 { text += ", \(result.keptEvaluations) replayed from an interrupted run" }
        text += "\n  candidates scored on \(Formatting.grouped(UInt64(result.fitnessTokenCount))) tokens each"
        let computed = result.records.dropFirst(result.keptEvaluations)
        if !computed.isEmpty {
            let mean = computed.reduce(0) { $0 + $1.seconds } / Double(computed.count)
            text += ", \(Formatting.decimal(mean, places: 2)) s per evaluation"
        }
        return text + "\n  recipe: \(result.outputPath)/recipe.yml, merged model: \(result.outputPath)/model\n"
    }

    static func json(_ result: EvolveResult) -> String {
        let best = result.best
        let object = JSONOutput.object([
            ("output", .string(result.outputPath)),
            ("evaluations", .integer(Int64(result.records.count))),
            ("replayed", .integer(Int64(result.keptEvaluations))),
            ("fitness_tokens", .integer(Int64(result.fitnessTokenCount))),
            (
                "best",
                .object([
                    ("evaluation", .integer(Int64(best.evaluation))), ("generation", .integer(Int64(best.generation))),
                    ("fitness", .double(best.fitness)), ("set_mean_nll", .array(best.setMeans.map { .double($0) })),
                    ("values", .array(best.values.map { .double($0) })),
                ])
            ),
            ("recipe", .string(result.recipe)),
        ])
        return object.rendered() + "\n"
    }
}
