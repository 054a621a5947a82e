import Base
import Foundation

/// The history of the runs that made one output (DESIGN.md, principle 4):
/// when each started and stopped, how it ended, how much it kept from
/// earlier runs and how much it computed. Kept in the staging folder as
/// `smelt-run.json`, rewritten at every start and stop, and published with
/// the output: the one file allowed to differ between runs, so the
/// manifest leaves it out.
public struct RunHistory {
    public static let fileName = "smelt-run.json"

    public struct Run: Sendable {
        public var started: String
        public var ended: String?
        /// running, merged or converted, interrupted, failed, killed,
        /// killed while publishing.
        public var outcome: String
        public var keptBytes: UInt64 = 0
        public var computedBytes: UInt64 = 0
    }

    public private(set) var runs: [Run] = []

    public init() {}

    /// The history an interrupted run left in `stagingPath`, or an empty
    /// one. The file is informative only, so an unreadable one starts a
    /// new history instead of failing the run.
    public static func load(stagingPath: String) -> RunHistory {
        var history = RunHistory()
        guard let bytes = try? FileSystem.readSmallFile(stagingPath + "/" + fileName, limit: 16 << 20),
            let root = try? bytes.withUnsafeBytes({ buffer in try JSONScanner.parse(buffer) }),
            case .object(let top) = root.value,
            case .array(let entries)? = top.first(where: { $0.key == "runs" })?.node.value
        else { return history }
        for entry in entries {
            guard case .object(let fields) = entry.value else { continue }
            func text(_ key: String) -> String? {
                if case .string(let value)? = fields.first(where: { $0.key == key })?.node.value { return value }
                return nil
            }
            func number(_ key: String) -> UInt64 {
                if case .unsignedInteger(let value)? = fields.first(where: { $0.key == key })?.node.value {
                    return value
                }
                return 0
            }
            guard let started = text("started"), let outcome = text("outcome") else { continue }
            history.runs.append(
                Run(
                    started: started, ended: text("ended"), outcome: Self.outcomeSeenLater(outcome),
                    keptBytes: number("kept_bytes"), computedBytes: number("computed_bytes")))
        }
        return history
    }

    /// A run still "running" in the staging folder was killed; one that
    /// had "merged" or "converted" there was killed while publishing (a
    /// published run's history leaves the staging folder with it).
    private static func outcomeSeenLater(_ outcome: String) -> String {
        switch outcome {
        case "running": "killed"
        case "merged", "converted": "killed while publishing"
        default: outcome
        }
    }

    /// Starts a new run entry, marked running until `finish`.
    public mutating func begin(keptBytes: UInt64) {
        runs.append(Run(started: Self.now(), outcome: "running", keptBytes: keptBytes))
    }

    /// Ends the current run with `outcome`.
    public mutating func finish(_ outcome: String, computedBytes: UInt64) {
        guard !runs.isEmpty else { return }
        runs[runs.count - 1].ended = Self.now()
        runs[runs.count - 1].outcome = outcome
        runs[runs.count - 1].computedBytes = computedBytes
    }

    public func save(stagingPath: String) throws {
        let root = JSONOutput.object([
            (
                "runs",
                .array(
                    runs.map { run in
                        .object([
                            ("started", .string(run.started)), ("ended", run.ended.map(JSONOutput.string) ?? .null),
                            ("outcome", .string(run.outcome)), ("kept_bytes", .unsigned(run.keptBytes)),
                            ("computed_bytes", .unsigned(run.computedBytes)),
                        ])
                    })
            )
        ])
        try FileSystem.writeFileAtomically(
            stagingPath + "/" + Self.fileName, bytes: Array((root.rendered(pretty: true) + "\n").utf8))
    }

    private static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
