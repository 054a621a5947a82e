import Base
import Distill
import Synchronization

/// The progress line of `smelt fuse`: records and target tokens done,
/// tokens per second and ETA, redrawn at most ten times a second.
final class FuseProgress: Sendable {
    let totalRecords: Int
    let isEnabled: Bool
    let startTime = monotonicSeconds()
    private let lastDrawn = Mutex(0.0)

    init(totalRecords: Int, enabled: Bool) {
        self.totalRecords = totalRecords
        isEnabled = enabled && isTerminal(2) && totalRecords > 0
    }

    var elapsedSeconds: Double { monotonicSeconds() - startTime }

    func show(records: Int, tokens: Int) {
        guard isEnabled else { return }
        let seconds = max(elapsedSeconds, 1e-6)
        let due = lastDrawn.withLock { last in
            guard seconds - last >= 0.1 || records == totalRecords else { return false }
            last = seconds
            return true
        }
        guard due else { return }
        let fraction = min(1, Double(records) / Double(totalRecords))
        let remaining = fraction > 0 ? seconds * (1 - fraction) / fraction : 0
        writeToStandardError(
            "\rfuse: \(records)/\(totalRecords) records, \(tokens) tokens, "
                + "\(Formatting.decimal(Double(tokens) / seconds, places: 0)) tokens/s, ETA \(Int(remaining.rounded()))s \u{1B}[K",
            terminator: "")
    }

    func finish() {
        if isEnabled { writeToStandardError("\r\u{1B}[K", terminator: "") }
    }
}

/// The summary `smelt fuse` prints: records, target tokens, and per
/// teacher the shares of loss positions aligned one-to-one, given the
/// teacher's distribution and fallen back to one-hot, the mass the
/// mapping dropped, and the mean KL to the fused distribution.
enum FuseReport {
    static func print(
        _ summary: FuseSummary, manifest: LogitCacheManifest, path: String, names: [String], options: FuseOptions,
        seconds: Double, json: Bool
    ) {
        let rate = Double(summary.tokens) / max(seconds, 1e-9)
        if json {
            var object = summary.json(names: names)
            if case .object(var members) = object {
                members.insert(("cache", .string(path)), at: 0)
                members += [
                    ("align", .string(options.alignment.rawValue)), ("map", .string(options.mapping.rawValue)),
                    ("fusion", .string(options.method.rawValue)), ("top_k", .integer(Int64(options.topK))),
                    ("seconds", .double(seconds)), ("tokens_per_second", .double(rate)),
                ]
                object = .object(members)
            }
            writeToStandardOutput(object.rendered() + "\n")
            return
        }
        func percent(_ value: Double) -> String { Formatting.decimal(value * 100, places: 1) + "%" }
        var text =
            "\(path): \(summary.records) records, \(summary.tokens) target tokens, "
            + "\(summary.lossPositions) loss positions, K = \(options.topK) (--align \(options.alignment.rawValue) "
            + "--map \(options.mapping.rawValue) --fusion \(options.method.rawValue)); "
            + "\(percent(summary.share(summary.fallback))) of loss positions one-hot on the gold token\n"
        for (name, teacher) in zip(names, summary.teachers) {
            let dropped = teacher.aligned > 0 ? teacher.droppedMass / Double(teacher.aligned) : 0
            let divergence = summary.lossPositions > 0 ? teacher.divergence / Double(summary.lossPositions) : 0
            text +=
                "  \(name): one-to-one \(percent(summary.share(teacher.oneToOne))), "
                + "aligned \(percent(summary.share(teacher.aligned))), "
                + "one-hot \(percent(summary.share(teacher.fallback))), dropped mass \(percent(dropped)), "
                + "mean KL to fused \(Formatting.decimal(divergence, places: 4)), "
                + (options.method == .minCE
                    ? "chosen for \(teacher.chosen) records"
                    : "mean weight \(Formatting.decimal(summary.records > 0 ? teacher.weight / Double(summary.records) : 0, places: 3))")
                + "\n"
        }
        text +=
            "\(Formatting.decimal(rate, places: 0)) target tokens/s in \(Formatting.decimal(seconds, places: 2)) s\n"
        writeToStandardOutput(text)
    }
}

/// A named input that does not exist (exit 66).
struct MissingInputError: SmeltError {
    let path: String
    let what: String
    var exitCode: ExitCode { .missingInput }
    var description: String { "\(path): no such \(what)" }
}
