import Base
import Checkpoint

/// Rerunning a finished command: OUT published by a run of the same
/// identity is "already complete", as `smelt fuse` and `smelt logits`
/// report it; anything else at OUT stays refused.
extension DistillRun {
    /// What the finished run at `outputPath` did, read from its log, when
    /// its manifest's recipe is this identity's; nil when nothing is at
    /// `outputPath`. Throws `DistillError.outputExists` for anything else there.
    public static func completedRun(
        at outputPath: String, identity: [(name: String, value: String)]
    ) throws -> DistillSummary? {
        guard try FileSystem.status(outputPath) != nil else { return nil }
        let manifestPath = outputPath + "/" + Manifest.fileName
        let recipe = "smelt distill\n" + identity.map { "\($0.name) \($0.value)\n" }.joined()
        guard try FileSystem.status(manifestPath)?.isRegularFile == true,
            let manifest = try? Manifest(
                path: manifestPath, bytes: FileSystem.readSmallFile(manifestPath, limit: 1 << 30)),
            manifest.recipe == recipe
        else { throw DistillError.outputExists(path: outputPath) }
        var summary = DistillSummary()
        summary.manifest = manifest
        summary.isAlreadyComplete = true
        let logPath = outputPath + "/" + logName
        guard try FileSystem.status(logPath)?.isRegularFile == true else { return summary }
        let text = String(decoding: try FileSystem.readSmallFile(logPath, limit: 1 << 30), as: UTF8.self)
        let evaluates = text.prefix { $0 != "\n" }.hasSuffix(",eval_loss")
        for row in text.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            summary.steps += 1
            if let loss = fields.count > 1 ? Double(fields[1]) : nil {
                summary.firstLoss = summary.firstLoss ?? loss
                summary.lastLoss = loss
            }
            if evaluates, let last = fields.last, let loss = Double(last) { summary.lastEvaluationLoss = loss }
        }
        return summary
    }
}
