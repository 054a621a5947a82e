import Base
import Checkpoint

/// What `smelt merge` was asked to do.
public struct MergeOptions: Sendable {
    public var memoryBudget: UInt64
    public var threads: Int
    /// Bytes per chunk of Float32 work; nil: chosen from the budget.
    public var chunkBytes: UInt64?
    public var plan = PlanSettings()
    public var force = false
    /// Discard staged work of an interrupted run instead of resuming it.
    public var restart = false
    /// Set by a signal handler to stop the run cleanly.
    public var stop: StopRequest?
    /// Largest per-block sums of a reduction pass held in memory; larger
    /// ones are spilled. Nil: an eighth of the budget (at least 1 MiB).
    public var reductionSumsLimitBytes: UInt64?
    /// Gets the input bytes read by reduction passes (see ExecutionSettings).
    public var reductionProgress: (@Sendable (UInt64) -> Void)?
    /// False decodes every chunk whole before its kernel sees it (see
    /// ExecutionSettings): the same bytes, for comparisons.
    public var decodesInPieces = true
    /// Publish merged tensors that hold NaNs or infinities their inputs do
    /// not (`--allow-non-finite`); otherwise such a tensor stops the run.
    /// Never changes the bytes of a merge it lets through.
    public var allowsNonFinite = false

    public init(memoryBudget: UInt64 = MergeOptions.defaultMemoryBudget, threads: Int = defaultThreadCount) {
        self.memoryBudget = memoryBudget
        self.threads = max(1, threads)
    }

    /// 1 GiB or a quarter of the machine's memory, whichever is smaller.
    public static var defaultMemoryBudget: UInt64 { ByteBudget.defaultLimitBytes }
}

/// The outcome of a merge (or of a dry run).
public struct MergeResult: Sendable {
    public enum Outcome: String, Sendable { case merged, alreadyDone = "already-done", dryRun = "dry-run" }
    public let outcome: Outcome
    public let outputPath: String
    public let planDigest: UInt64
    public let tensorCount: Int
    public let outputBytes: UInt64
    public let shardCount: Int
    public let freeDiskBytes: UInt64
    public let memory: MemoryEstimate
    public let warnings: [String]
    /// What a resumed run kept from the runs before it; nil for a fresh run.
    public let resume: ResumeSummary?
    /// The process's peak resident memory when the result was made (VmHWM);
    /// nil where the system does not say.
    public let peakResidentBytes: UInt64?
    /// The most bytes the run's buffers held at once in its `ByteBudget`
    /// (never above the budget); nil when nothing ran.
    public let reservedPeakBytes: UInt64?
}

/// Runs a recipe end to end: plan, checks, stream every tensor into the
/// staging folder, extra files, publish (DESIGN.md, "Data flow of a merge").
public enum MergeRun {
    /// Plans `recipePath` into `outputPath` and, unless `dryRun`, runs it.
    /// `checking` is called before a resume re-hashes the staged work,
    /// with a line saying so and the bytes to hash, and returns where to
    /// report the bytes hashed (from any thread).
    /// `started` is called once the plan is known and staged work of an
    /// interrupted run was checked; `progress` with the bytes of each
    /// finished chunk, kept ones included.
    public static func run(
        recipePath: String, outputPath: String, options: MergeOptions, dryRun: Bool,
        checking: (_ note: String, _ bytes: UInt64) -> @Sendable (UInt64) -> Void = { _, _ in { _ in } },
        started: (MergePlan, ResumeSummary?) -> Void = { _, _ in }, progress: (UInt64) -> Void = { _ in }
    ) throws -> MergeResult {
        let bytes = try FileSystem.readSmallFile(recipePath, limit: 1 << 20)
        let recipe = try Recipe(yaml: bytes, file: recipePath)
        let plan = try Planner.plan(recipe, settings: options.plan)
        let digest = plan.digest
        let inputs = try plan.inputIdentities()
        let memory = MemoryEstimate(plan: plan, options: options)
        let budget = ByteBudget(limitBytes: options.memoryBudget)
        let shards = try ShardLayout.plan(tensors: plan.outputTensors, shardSizeLimit: options.plan.shardSizeLimit)
        let outputBytes = shards.reduce(0) { $0 + $1.fileSize }
        let parent = outputPath.deletingLastPathComponent
        let free = try FileSystem.availableBytes(at: parent.isEmpty ? "." : parent)
        func result(_ outcome: MergeResult.Outcome, resume: ResumeSummary? = nil) -> MergeResult {
            MergeResult(
                outcome: outcome, outputPath: outputPath, planDigest: digest, tensorCount: plan.tensors.count,
                outputBytes: outputBytes, shardCount: shards.count, freeDiskBytes: free, memory: memory,
                warnings: plan.warnings,
                resume: resume, peakResidentBytes: ProcessMemory.peakResidentBytes,
                reservedPeakBytes: budget.highWaterBytes > 0 ? budget.highWaterBytes : nil)
        }
        try OutputOverlap.check(
            outputPath: outputPath,
            inputPaths: plan.models.flatMap { model in [model.path] + model.checkpoint.files.map(\.path) })
        // --force replaces an output folder; a link or a file there is refused
        // now, not after the merge, when publishing would refuse it.
        if options.force, FileSystem.isSymbolicLink(outputPath) {
            throw WriterError.outputNotAFolder(path: outputPath, kind: "a symbolic link")
        }
        if options.force, let status = try FileSystem.status(outputPath), !status.isDirectory {
            throw WriterError.outputNotAFolder(path: outputPath, kind: "a file")
        }
        if try FileSystem.status(outputPath) != nil {
            switch try ExistingOutput.compare(outputPath, planDigest: digest, inputs: inputs) {
            case .sameRun: return result(.alreadyDone)
            case .different(let problem) where !options.force:
                throw MergeError.outputHoldsDifferentMerge(path: outputPath, problem: problem)
            case .different: break
            }
        }
        if dryRun { return result(.dryRun) }
        if !options.restart,
            try StagedRun.finishInterruptedPublish(
                outputPath: outputPath, planDigest: digest, inputs: inputs, force: options.force)
        {
            return result(
                .merged,
                resume: ResumeSummary(
                    keptBytes: outputBytes, keptUnits: 0, redoneUnits: 0, tornJournalBytes: 0, onlyPublished: true))
        }
        let session = try StagedRun(
            identity: JournalIdentity(plan: plan, inputs: inputs),
            tensors: plan.tensors.map { ($0.name, $0.byteCount) }, shards: shards, outputPath: outputPath,
            freeBytes: free, restart: options.restart, threads: options.threads, checking: checking)
        let (writer, journal, stagingPath) = (session.writer, session.journal, session.writer.stagingPath)
        let workPath = writer.staging.workPath
        var history = session.history
        history.begin(keptBytes: session.summary?.keptBytes ?? 0)
        try history.save(stagingPath: workPath)
        started(plan, session.summary)

        var settings = ExecutionSettings(
            threads: options.threads, chunkElementCount: memory.chunkElementCount, window: memory.window)
        settings.stop = options.stop
        settings.decodesInPieces = options.decodesInPieces
        settings.allowsNonFinite = options.allowsNonFinite
        settings.outputBlockBytes = memory.outputBlockBytes
        settings.outputBlockCount = MemoryEstimate.outputBlockCount
        settings.spillFolder = workPath
        settings.reductionProgress = options.reductionProgress
        settings.budget = budget
        settings.workingMemory = plan.method.workingMemory
        settings.reductionSumsLimitBytes = options.reductionSumsLimitBytes ?? max(1 << 20, options.memoryBudget / 8)
        var doneBytes: UInt64 = 0
        var report = ExecutionReport()
        do {
            try MergeExecutor.run(
                plan.tensors, into: writer, settings: settings, staged: session.staged, journal: journal,
                report: &report
            ) { bytes in
                doneBytes += bytes
                progress(bytes)
            }
            try journal.writePending()
            if let config = plan.config { try writer.addFile(named: "config.json", bytes: config) }
            for (name, path) in plan.copiedFiles {
                try writer.addFile(named: name, bytes: try FileSystem.readSmallFile(path, limit: 1 << 30))
            }
            try writer.addFile(named: "mergekit_config.yml", bytes: bytes)
            try writer.addFile(named: "README.md", bytes: Array(ModelCard.render(plan: plan, inputs: inputs).utf8))
            history.finish("merged", computedBytes: report.computedBytes)
            try history.save(stagingPath: workPath)
            let manifest = Manifest(version: smeltVersion, recipe: recipe.text, planDigest: digest, inputs: inputs)
            try writer.publish(
                manifest: manifest, replacingExisting: options.force, knownDigests: report.digests,
                unlistedFileNames: [RunHistory.fileName])
        } catch {
            try? journal.flush()
            let stopped = error as? StopRequested
            history.finish(stopped == nil ? "failed" : "interrupted", computedBytes: report.computedBytes)
            try? history.save(stagingPath: workPath)
            throw translated(error, stagingPath: stagingPath, doneBytes: doneBytes, outputBytes: outputBytes)
        }
        return result(.merged, resume: session.summary)
    }

    /// The error a user sees for a failure during the run: every one says
    /// that the finished work is kept and how to resume.
    private static func translated(
        _ error: any Error, stagingPath: String, doneBytes: UInt64, outputBytes: UInt64
    ) -> any Error {
        switch error {
        case let stop as StopRequested:
            return MergeError.interrupted(signal: stop.signal, stagingPath: stagingPath, keptBytes: doneBytes)
        case let error as SystemError where error.isNoSpace:
            return MergeError.diskFull(
                path: error.path, neededBytes: outputBytes > doneBytes ? outputBytes - doneBytes : 0,
                stagingPath: stagingPath)
        case let error as SystemError:
            return MergeError.runFailed(cause: error, stagingPath: stagingPath)
        default:
            return error
        }
    }
}
