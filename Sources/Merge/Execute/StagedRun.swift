import Base
import Checkpoint

/// The staging side of a run (DESIGN.md, principle 6, "Journal"): the
/// writer on the locked staging folder, and either a fresh journal or the
/// journal of an interrupted run with the staged work it proves, checked
/// against the staged bytes.
struct StagedRun {
    let writer: CheckpointWriter
    let journal: MergeJournal
    /// What an interrupted run left that this one keeps.
    let staged: StagedWork
    let history: RunHistory
    /// Nil for a fresh run.
    let summary: ResumeSummary?

    /// Checks the free disk (counting shards already staged), opens the
    /// staging folder, and resumes from its journal unless
    /// `options.restart`. Throws `MergeError.resumeRefused` when the journal
    /// belongs to another run, before anything staged is touched.
    init(
        plan: MergePlan, inputs: [Manifest.Input], shards: [ShardLayout], outputPath: String, freeBytes: UInt64,
        options: MergeOptions, checking: (_ note: String, _ bytes: UInt64) -> @Sendable (UInt64) -> Void
    ) throws {
        let stagingPath = CheckpointWriter.stagingPath(for: outputPath)
        let outputBytes = shards.reduce(0) { $0 + $1.fileSize }
        let stagedBytes =
            options.restart
            ? 0
            : try shards.reduce(UInt64(0)) { total, shard in
                let size = try FileSystem.status(stagingPath + "/" + shard.fileName)?.size ?? 0
                return total + (size == shard.fileSize ? size : 0)
            }
        let needed = outputBytes - stagedBytes + 16 << 20
        guard freeBytes >= needed else {
            throw MergeError.insufficientDisk(
                path: outputPath.deletingLastPathComponent, neededBytes: needed, availableBytes: freeBytes)
        }
        let identity = JournalIdentity(plan: plan, inputs: inputs)
        var contents: JournalContents?
        writer = try CheckpointWriter(
            outputPath: outputPath, shards: shards,
            keepStaged: { staging in
                guard !options.restart else { return false }
                contents = try JournalContents.read(
                    staging: staging, current: identity, tensorByteCounts: plan.tensors.map(\.byteCount))
                return contents != nil
            })
        guard let contents else {
            journal = try MergeJournal(creatingIn: writer.staging.workPath, identity: identity)
            staged = StagedWork()
            history = RunHistory()
            summary = nil
            return
        }
        let units = contents.chunkUnits
        let progress = checking(
            "checking \(units.count) journaled chunks of an interrupted run against the staged bytes",
            units.reduce(0) { $0 + $1.chunk.byteCount })
        staged = try StagedWork.check(
            contents, plan: plan, writer: writer, threads: options.threads, progress: progress)
        journal = MergeJournal(continuing: contents)
        history = RunHistory.load(stagingPath: writer.staging.workPath)
        summary = ResumeSummary(
            keptBytes: staged.chunks.values.reduce(0) { $0 + $1.keys.reduce(0) { $0 + $1.byteCount } },
            keptUnits: staged.keptUnits, redoneUnits: staged.mismatchedUnits, tornJournalBytes: contents.tornBytes,
            onlyPublished: false)
    }

    /// Finishes a run killed after its staged folder was complete and its
    /// journal already removed, just before the rename: true when the
    /// staged folder held this very merge, passed a full verify, and was
    /// moved into place.
    static func finishInterruptedPublish(
        outputPath: String, planDigest: UInt64, inputs: [Manifest.Input], force: Bool
    ) throws -> Bool {
        let stagingPath = CheckpointWriter.stagingPath(for: outputPath)
        guard try FileSystem.status(stagingPath + "/" + MergeJournal.fileName) == nil,
            case .sameMerge? = try? ExistingOutput.compare(stagingPath, planDigest: planDigest, inputs: inputs)
        else { return false }
        return try CheckpointWriter.publishFinishedStaging(
            outputPath: outputPath, replacingExisting: force, unlistedFileNames: [RunHistory.fileName])
    }
}
