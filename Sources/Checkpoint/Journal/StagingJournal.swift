import Base
import Dispatch

/// The append-only record of finished work in a staging folder, a
/// merge's or a conversion's (DESIGN.md, "Journal"): a spill file whose
/// first block is the run's identity and whose later blocks hold
/// `JournalRecord`s.
///
/// Two intervals bound what a crash can cost. Buffered records are
/// appended as one block at least every `appendIntervalNanoseconds`: the
/// block is then in the page cache, which a killed process does not take
/// with it. The journal is fsynced at least every `syncIntervalBytes` of
/// output or `syncIntervalNanoseconds`, which bounds what a power loss
/// costs. A torn last block only loses its own records.
///
/// A record is written after its bytes were written to the staged shard,
/// but the two are not synced in order: a resumed run re-hashes staged
/// bytes before trusting a record, so a record whose bytes did not reach
/// the disk only costs the redo of its unit.
public final class StagingJournal {
    public static let fileName = ".smelt-journal"
    static let appendIntervalNanoseconds: UInt64 = 100_000_000
    static let syncIntervalNanoseconds: UInt64 = 2_000_000_000
    static let syncIntervalBytes: UInt64 = 256 << 20

    let path: String
    private let spill: SpillWriter
    /// The new journal's name is made durable with its first sync.
    private var needsFolderSync = false
    private var folderPath = ""
    private var pending: [UInt8] = []
    private var unsyncedOutputBytes: UInt64 = 0
    private var lastAppendNanoseconds = DispatchTime.now().uptimeNanoseconds
    private var lastSyncNanoseconds = DispatchTime.now().uptimeNanoseconds

    /// Starts a new journal in `stagingPath` for `identity`. It is synced
    /// with the first records, not now: a journal lost to a power cut
    /// before then only means starting afresh, and a short run would pay
    /// for the syncs.
    public init(creatingIn stagingPath: String, identity: JournalIdentity) throws {
        path = stagingPath + "/" + Self.fileName
        spill = try SpillWriter(path: path)
        try spill.append(identity.encoded)
        needsFolderSync = true
        folderPath = stagingPath
    }

    /// Continues the journal that `contents` was read from, dropping a
    /// torn last block.
    public init(continuing contents: JournalContents) {
        path = contents.spill.path
        spill = contents.spill
    }

    /// Records a chunk of tensor `tensorIndex` whose `byteCount` bytes at
    /// `byteOffset` hash to `digest`.
    public func recordChunk(tensorIndex: Int, byteOffset: UInt64, byteCount: UInt64, digest: UInt64) throws {
        let now = DispatchTime.now().uptimeNanoseconds
        JournalRecord(
            kind: .chunk, tensorIndex: tensorIndex, byteOffset: byteOffset, byteCount: byteCount, digest: digest
        ).append(to: &pending)
        unsyncedOutputBytes += byteCount
        if unsyncedOutputBytes >= Self.syncIntervalBytes || now - lastSyncNanoseconds >= Self.syncIntervalNanoseconds {
            try syncPending(now: now)
        } else if now - lastAppendNanoseconds >= Self.appendIntervalNanoseconds {
            try appendPending(now: now)
        }
    }

    /// Records that every byte of tensor `tensorIndex` is staged and that
    /// all of them, in order, hash to `digest`.
    public func recordTensor(tensorIndex: Int, byteCount: UInt64, digest: UInt64) {
        JournalRecord(kind: .tensor, tensorIndex: tensorIndex, byteOffset: 0, byteCount: byteCount, digest: digest)
            .append(to: &pending)
    }

    /// Writes the buffered records as one block and syncs the journal.
    public func flush() throws {
        try syncPending(now: DispatchTime.now().uptimeNanoseconds)
    }

    /// Writes the buffered records without syncing: for a run about to
    /// publish, whose publish syncs everything and then drops the journal.
    public func writePending() throws {
        try appendPending(now: DispatchTime.now().uptimeNanoseconds)
    }

    private func syncPending(now: UInt64) throws {
        try appendPending(now: now)
        try spill.sync()
        if needsFolderSync {
            try FileSystem.syncDirectory(folderPath)
            needsFolderSync = false
        }
        lastSyncNanoseconds = now
        unsyncedOutputBytes = 0
    }

    private func appendPending(now: UInt64) throws {
        lastAppendNanoseconds = now
        guard !pending.isEmpty else { return }
        try spill.append(pending)
        pending.removeAll(keepingCapacity: true)
    }
}

/// What a journal left by an interrupted run holds.
public struct JournalContents {
    /// The journal, open for appending after its last good block.
    let spill: SpillWriter
    public let identity: JournalIdentity
    /// The distinct chunks the records name, each with its latest digest
    /// (a chunk redone by a later run is recorded again), in file order.
    public let chunkUnits: [(tensor: Int, chunk: StagedWork.Chunk, digest: UInt64)]
    /// The in-order digest of every tensor recorded as finished.
    public let tensorDigests: [Int: UInt64]
    /// Bytes of a torn last block, dropped (0 if none).
    public let tornBytes: UInt64

    init(spill: SpillWriter, identity: JournalIdentity, records: [JournalRecord]) {
        self.spill = spill
        self.identity = identity
        tornBytes = spill.recovered.tornBytes
        var latest: [Int: [StagedWork.Chunk: UInt64]] = [:]
        var tensorDigests: [Int: UInt64] = [:]
        for record in records {
            switch record.kind {
            case .chunk:
                latest[record.tensorIndex, default: [:]][
                    StagedWork.Chunk(byteOffset: record.byteOffset, byteCount: record.byteCount)] = record.digest
            case .tensor: tensorDigests[record.tensorIndex] = record.digest
            }
        }
        chunkUnits = latest.flatMap { tensor, chunks in chunks.map { (tensor: tensor, chunk: $0.key, digest: $0.value) }
        }
        .sorted {
            ($0.tensor, $0.chunk.byteOffset, $0.chunk.byteCount) < ($1.tensor, $1.chunk.byteOffset, $1.chunk.byteCount)
        }
        self.tensorDigests = tensorDigests
    }

    /// Reads the journal in `staging` and opens it for appending (a
    /// torn last block is dropped); nil when there is none or it holds no
    /// identity yet (a run killed while creating it).
    /// `tensorByteCounts` are the current plan's tensor sizes, used only
    /// when the identity matches. Throws `WriterError.resumeRefused` when
    /// the journal belongs to a different run or is damaged.
    public static func read(
        staging: StagingFolder, current: JournalIdentity, tensorByteCounts: [UInt64]
    ) throws -> JournalContents? {
        let stagingPath = staging.path
        let path = staging.workPath + "/" + StagingJournal.fileName
        guard try FileSystem.status(path) != nil else { return nil }
        var identity: JournalIdentity?
        var records: [JournalRecord] = []
        let spill: SpillWriter
        do {
            spill = try SpillWriter(appendingTo: path) { offset, payload in
                if identity == nil {
                    let found = try JournalIdentity(path: path, bytes: Array(payload))
                    if let change = found.difference(from: current) {
                        throw WriterError.resumeRefused(stagingPath: stagingPath, reason: change)
                    }
                    identity = found
                    return
                }
                guard let decoded = JournalRecord.decode(payload, tensorByteCounts: tensorByteCounts) else {
                    throw WriterError.resumeRefused(
                        stagingPath: stagingPath,
                        reason:
                            "its journal \(stagingPath)/\(StagingJournal.fileName) holds a block at byte \(offset) that this plan cannot have written"
                    )
                }
                records += decoded
            }
        } catch let error as SpillError {
            throw WriterError.resumeRefused(stagingPath: stagingPath, reason: "its journal is damaged: \(error)")
        } catch let error as Manifest.ParseError {
            throw WriterError.resumeRefused(
                stagingPath: stagingPath, reason: "its journal's identity is unreadable: \(error)")
        }
        guard let identity else { return nil }
        return JournalContents(spill: spill, identity: identity, records: records)
    }
}
