import Base
import Distill

/// The progress line of `smelt distill` (step, loss, tokens/s, ETA) on a
/// terminal, and its closing summary.
final class DistillProgress {
    private let isEnabled: Bool
    private let startTime = monotonicSeconds()
    private var lastDrawTime = 0.0
    private var stepsTimed = 0
    private var lastEvaluationLoss: Double?

    init(enabled: Bool) { isEnabled = enabled && isTerminal(2) }

    func show(_ step: DistillStep) {
        stepsTimed += 1
        lastEvaluationLoss = step.evaluationLoss ?? lastEvaluationLoss
        let now = monotonicSeconds()
        guard isEnabled, now - lastDrawTime >= 0.1 || step.step == step.totalSteps else { return }
        lastDrawTime = now
        let perStep = (now - startTime) / Double(stepsTimed)
        let remaining = Int((perStep * Double(step.totalSteps - step.step)).rounded())
        let evaluation = lastEvaluationLoss.map { "eval \(Formatting.decimal($0, places: 4)) " } ?? ""
        let line =
            "\rstep \(step.step)/\(step.totalSteps) loss \(Formatting.decimal(step.loss.total, places: 4)) "
            + evaluation + "\(Int(step.tokensPerSecond.rounded())) tokens/s ETA \(remaining)s \u{1B}[K"
        writeToStandardError(line, terminator: "")
    }

    func finish() {
        if isEnabled { writeToStandardError("\r\u{1B}[K", terminator: "") }
    }

    /// The summary: steps, tokens, first and last loss, the last
    /// evaluation loss, where OUT is; or that OUT was already complete.
    static func report(_ summary: DistillSummary, path: String, hasTargets: Bool, json: Bool) {
        let first = summary.firstLoss.map { Formatting.decimal($0, places: 4) } ?? "none"
        let last = summary.lastLoss.map { Formatting.decimal($0, places: 4) } ?? "none"
        if json {
            writeToStandardOutput(
                JSONOutput.object([
                    ("output", .string(path)), ("steps", .integer(Int64(summary.steps))),
                    ("resumed_steps", .integer(Int64(summary.resumedSteps))),
                    ("tokens", .integer(Int64(summary.tokens))),
                    ("first_loss", summary.firstLoss.map { .double($0) } ?? .null),
                    ("last_loss", summary.lastLoss.map { .double($0) } ?? .null),
                    ("eval_loss", summary.lastEvaluationLoss.map { .double($0) } ?? .null),
                    ("targets", .bool(hasTargets)), ("already_complete", .bool(summary.isAlreadyComplete)),
                ]).rendered(pretty: false) + "\n")
            return
        }
        let evaluation = summary.lastEvaluationLoss.map { ", eval loss \(Formatting.decimal($0, places: 4))" } ?? ""
        if summary.isAlreadyComplete {
            writeToStandardOutput(
                "\(path): already complete (\(summary.steps) steps, loss \(first) -> \(last)\(evaluation))\n")
            return
        }
        var text =
            "trained \(path): \(summary.steps) steps, \(summary.tokens) tokens, loss \(first) -> \(last)\(evaluation)"
        if summary.resumedSteps > 0 { text += " (resumed after step \(summary.resumedSteps))" }
        writeToStandardOutput(text + "\n")
    }
}
