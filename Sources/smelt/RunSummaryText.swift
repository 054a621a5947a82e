import Base
import Checkpoint

/// The phrases `merge` and `convert` both put in their one-line summary.
enum RunSummaryText {
    /// "N tensors, SIZE in K shard(s)".
    static func size(tensors: Int, bytes: UInt64, shards: Int) -> String {
        "\(tensors) tensors, \(Formatting.bytes(bytes)) in \(shards) shard\(shards == 1 ? "" : "s")"
    }

    /// What a resumed run kept (empty for a fresh run), then the peak memory.
    static func resumedAndPeak(_ resume: ResumeSummary?, peak: UInt64?) -> String {
        let resumed =
            resume.map { resume in
                resume.onlyPublished
                    ? "; finished the publish of an interrupted run"
                    : "; resumed, keeping \(Formatting.bytes(resume.keptBytes)) from earlier runs"
                        + (resume.redoneUnits > 0 ? " and redoing \(resume.redoneUnits) damaged chunks" : "")
            } ?? ""
        return resumed + (peak.map { "; peak memory \(Formatting.bytes($0))" } ?? "")
    }
}
