import Base
import Checkpoint
import Merge
import Synchronization

/// `smelt merge RECIPE OUT [options]` (DESIGN.md, "Command line").
enum MergeCommand {
    static let spec = ArgumentSpec(
        flags: ["dry-run", "restart", "force", "json", "quiet"],
        options: ["memory-budget", "threads", "shard-size", "chunk-size", "seed"],
        positionalCount: 2...2, positionalNames: "RECIPE OUT")

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let recipePath = arguments.positionals[0]
        let outputPath = arguments.positionals[1]
        var options = MergeOptions()
        if let text = arguments.options["memory-budget"] { options.memoryBudget = try size(text, option: "memory-budget", minimum: ByteBudget.minimumLimitBytes) }
        if let text = arguments.options["threads"] {
            guard let threads = Int(text), threads >= 1, threads <= 1024 else { throw UsageError(message: "--threads must be a whole number from 1 to 1024, not '\(text)'") }
            options.threads = threads
        }
        if let text = arguments.options["shard-size"] { options.plan.shardSizeLimit = try size(text, option: "shard-size", minimum: 1) }
        if let text = arguments.options["chunk-size"] { options.chunkBytes = try size(text, option: "chunk-size", minimum: 1) }
        if let text = arguments.options["seed"] {
            guard let seed = UInt64(text) else { throw UsageError(message: "--seed must be a whole number from 0 to 2^64 - 1, not '\(text)'") }
            options.plan.seed = seed
        }
        options.force = arguments.flags.contains("force")
        options.restart = arguments.flags.contains("restart")
        let stop = StopRequest()
        options.stop = stop
        let signals = StopSignals { number in stop.request(signal: number) }
        let passProgress = Mutex<ProgressBar?>(nil)
        options.reductionProgress = { bytes in passProgress.withLock { $0 }?.advancePass(bytes) }
        defer { withExtendedLifetime(signals) {} }
        let wantsJSON = arguments.flags.contains("json")
        let isQuiet = wantsJSON || arguments.flags.contains("quiet")
        var progress: ProgressBar?
        var checkBar: ProgressBar?
        let result = try MergeRun.run(
            recipePath: recipePath, outputPath: outputPath, options: options, dryRun: arguments.flags.contains("dry-run"),
            checking: { line, bytes in
                if !isQuiet { writeToStandardError(line) }
                let bar = ProgressBar(label: "check staged work", totalBytes: bytes, enabled: !isQuiet)
                checkBar = bar
                return { bar.advance($0) }
            },
            started: { plan, resume in
                checkBar?.finish()
                for warning in plan.warnings { writeToStandardError("warning: " + warning) }
                if let resume, !isQuiet { writeToStandardError(resumeLine(resume, totalBytes: plan.outputTensorBytes)) }
                progress = ProgressBar(label: "merge \(plan.tensors.count) tensors", totalBytes: plan.outputTensorBytes, enabled: !isQuiet)
                passProgress.withLock { $0 = progress }
            },
            progress: { bytes in progress?.advance(bytes) })
        progress?.finish()
        if result.outcome != .merged, !wantsJSON { for warning in result.warnings { writeToStandardError("warning: " + warning) } }
        writeToStandardOutput(wantsJSON ? json(result).rendered(pretty: true) + "\n" : text(result))
        return .success
    }

    /// A size with K M G T (and KiB…, powers of 1024) or KB MB GB TB
    /// (powers of 1000); a bare number is bytes.
    static func size(_ text: String, option: String, minimum: UInt64) throws(UsageError) -> UInt64 {
        let units: [(String, UInt64)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
            ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
            ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("B", 1),
        ]
        var number = Substring(text)
        var multiplier: UInt64 = 1
        if let unit = units.first(where: { text.hasSuffix($0.0) }) {
            number = text.dropLast(unit.0.count)
            multiplier = unit.1
        }
        guard let value = UInt64(number), case let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier), !overflow else {
            throw UsageError(message: "--\(option) must be a size like 256M, 1G, 5GB or a number of bytes, not '\(text)'")
        }
        guard bytes >= minimum else { throw UsageError(message: "--\(option) \(text) is below the smallest allowed, \(Formatting.bytes(minimum))") }
        return bytes
    }

    static func json(_ result: MergeResult) -> JSONOutput {
        .object([
            ("outcome", .string(result.outcome.rawValue)),
            ("output", .string(result.outputPath)),
            ("plan_xxh3", .string(XXH3.hex(result.planDigest))),
            ("tensors", .unsigned(UInt64(result.tensorCount))),
            ("output_bytes", .unsigned(result.outputBytes)),
            ("shards", .unsigned(UInt64(result.shardCount))),
            ("free_disk_bytes", .unsigned(result.freeDiskBytes)),
            ("memory_budget_bytes", .unsigned(result.memory.budgetBytes)),
            ("estimated_peak_bytes", .unsigned(result.memory.peakBytes)),
            ("chunk_elements", .unsigned(UInt64(result.memory.chunkElementCount))),
            ("warnings", .array(result.warnings.map(JSONOutput.string))),
            ("resume", result.resume.map { resume in
                .object([
                    ("kept_bytes", .unsigned(resume.keptBytes)), ("kept_units", .unsigned(UInt64(resume.keptUnits))),
                    ("redone_units", .unsigned(UInt64(resume.redoneUnits))), ("torn_journal_bytes", .unsigned(resume.tornJournalBytes)),
                    ("only_published", .bool(resume.onlyPublished)),
                ])
            } ?? .null),
        ])
    }

    /// One line saying what a resume kept.
    static func resumeLine(_ resume: ResumeSummary, totalBytes: UInt64) -> String {
        var line = "resuming an interrupted run: kept \(Formatting.bytes(resume.keptBytes)) of \(Formatting.bytes(totalBytes)) (\(resume.keptUnits) chunks checked against the journal)"
        if resume.redoneUnits > 0 { line += ", redoing \(resume.redoneUnits) whose staged bytes did not match" }
        if resume.tornJournalBytes > 0 { line += ", dropped a torn journal tail of \(resume.tornJournalBytes) bytes" }
        return line
    }

    static func text(_ result: MergeResult) -> String {
        let size = "\(result.tensorCount) tensors, \(Formatting.bytes(result.outputBytes)) in \(result.shardCount) shard\(result.shardCount == 1 ? "" : "s")"
        switch result.outcome {
        case .merged:
            let resumed = result.resume.map { resume in
                resume.onlyPublished ? "; finished the publish of an interrupted run"
                    : "; resumed, keeping \(Formatting.bytes(resume.keptBytes)) from earlier runs" + (resume.redoneUnits > 0 ? " and redoing \(resume.redoneUnits) damaged chunks" : "")
            } ?? ""
            return "merged \(size) into \(result.outputPath) (plan \(XXH3.hex(result.planDigest)))\(resumed)\n"
        case .alreadyDone:
            return "\(result.outputPath) already holds this merge (plan \(XXH3.hex(result.planDigest))); nothing to do\n"
        case .dryRun:
            return """
            plan \(XXH3.hex(result.planDigest)): \(size)
            disk: \(Formatting.bytes(result.outputBytes)) needed, \(Formatting.bytes(result.freeDiskBytes)) free
            memory: budget \(Formatting.bytes(result.memory.budgetBytes)), estimated peak \(Formatting.bytes(result.memory.peakBytes)) plus the program (chunks of \(Formatting.grouped(UInt64(result.memory.chunkElementCount))) elements, \(result.memory.window) in flight)
            dry run: nothing written

            """
        }
    }
}
