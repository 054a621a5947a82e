import Base

/// What a run resumed from an interrupted one.
public struct ResumeSummary: Sendable {
    /// Output bytes checked and kept, and the units (chunks) they make.
    public let keptBytes: UInt64
    public let keptUnits: Int
    /// Journaled units whose staged bytes no longer matched, so redone.
    public let redoneUnits: Int
    /// Bytes of a torn last journal block, dropped.
    public let tornJournalBytes: UInt64
    /// Whether the run only had to finish a publish cut short.
    public let onlyPublished: Bool

    public init(keptBytes: UInt64, keptUnits: Int, redoneUnits: Int, tornJournalBytes: UInt64, onlyPublished: Bool) {
        self.keptBytes = keptBytes
        self.keptUnits = keptUnits
        self.redoneUnits = redoneUnits
        self.tornJournalBytes = tornJournalBytes
        self.onlyPublished = onlyPublished
    }
}

/// The staging side of a run, a merge's or a conversion's (DESIGN.md,
/// principle 6, "Journal"): the writer on the locked staging folder, and
/// either a fresh journal or the journal of an interrupted run with the
/// staged work it proves, checked against the staged bytes.
public struct StagedRun {
    public let writer: CheckpointWriter
    public let journal: StagingJournal
    /// What an interrupted run left that this one keeps.
    public let staged: StagedWork
    public let history: RunHistory
    /// Nil for a fresh run.
    public let summary: ResumeSummary?

    /// Checks the free disk (counting shards already staged), opens the
    /// staging folder, and resumes from its journal unless `restart`.
    /// `tensors` are the run's output tensors in plan order (the journal
    /// names them by index). Throws `WriterError.resumeRefused` when the
    /// journal belongs to another run, before anything staged is touched.
    /// `checking` is called before the staged work is re-hashed, with a
    /// line saying so and the bytes to hash, and returns where to report
    /// the bytes hashed (from any thread).
    public init(
        identity: JournalIdentity, tensors: [(name: String, byteCount: UInt64)], shards: [ShardLayout],
        outputPath: String, freeBytes: UInt64, restart: Bool, threads: Int,
        checking: (_ note: String, _ bytes: UInt64) -> @Sendable (UInt64) -> Void
    ) throws {
        let stagingPath = CheckpointWriter.stagingPath(for: outputPath)
        let outputBytes = shards.reduce(0) { $0 + $1.fileSize }
        let stagedBytes =
            restart
            ? 0
            : try shards.reduce(UInt64(0)) { total, shard in
                let size = try FileSystem.status(stagingPath + "/" + shard.fileName)?.size ?? 0
                return total + (size == shard.fileSize ? size : 0)
            }
        let needed = outputBytes - stagedBytes + 16 << 20
        guard freeBytes >= needed else {
            throw WriterError.insufficientDisk(
                path: outputPath.deletingLastPathComponent, neededBytes: needed, availableBytes: freeBytes)
        }
        var contents: JournalContents?
        writer = try CheckpointWriter(
            outputPath: outputPath, shards: shards,
            keepStaged: { staging in
                guard !restart else { return false }
                contents = try JournalContents.read(
                    staging: staging, current: identity, tensorByteCounts: tensors.map(\.byteCount))
                return contents != nil
            })
        guard let contents else {
            journal = try StagingJournal(creatingIn: writer.staging.workPath, identity: identity)
            staged = StagedWork()
            history = RunHistory()
            summary = nil
            return
        }
        let units = contents.chunkUnits
        let progress = checking(
            "checking \(units.count) journaled chunks of an interrupted run against the staged bytes",
            units.reduce(0) { $0 + $1.chunk.byteCount })
        staged = try StagedWork.check(contents, tensors: tensors, writer: writer, threads: threads, progress: progress)
        journal = StagingJournal(continuing: contents)
        history = RunHistory.load(stagingPath: writer.staging.workPath)
        summary = ResumeSummary(
            keptBytes: staged.chunks.values.reduce(0) { $0 + $1.keys.reduce(0) { $0 + $1.byteCount } },
            keptUnits: staged.keptUnits, redoneUnits: staged.mismatchedUnits, tornJournalBytes: contents.tornBytes,
            onlyPublished: false)
    }

    /// Finishes a run killed after its staged folder was complete and its
    /// journal already removed, just before the rename: true when the
    /// staged folder held this very run (same plan digest and inputs),
    /// passed a full verify, and was moved into place.
    public static func finishInterruptedPublish(
        outputPath: String, planDigest: UInt64, inputs: [Manifest.Input], force: Bool
    ) throws -> Bool {
        let stagingPath = CheckpointWriter.stagingPath(for: outputPath)
        guard try FileSystem.status(stagingPath + "/" + StagingJournal.fileName) == nil,
            case .sameRun? = try? ExistingOutput.compare(stagingPath, planDigest: planDigest, inputs: inputs)
        else { return false }
        return try CheckpointWriter.publishFinishedStaging(
            outputPath: outputPath, replacingExisting: force, unlistedFileNames: [RunHistory.fileName])
    }
}
