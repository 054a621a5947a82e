import Base
import Checkpoint
import Dispatch

/// Writes a logit cache folder (DESIGN.md, "Logit cache", principle 6):
/// records are appended in ordinal order as spill blocks to `records.smsp`
/// in the staging sibling `.CACHE.smelt-partial`; publishing writes the
/// index and the manifest and renames the folder into place. The records
/// file is its own journal: an interrupted run's good blocks are the
/// records it finished (a torn last block is dropped), and the staged
/// identity file makes a resume with another teacher, data, K or version
/// a refusal naming what changed.
public final class LogitCacheWriter {
    public static let recordsName = "records.smsp"
    public static let indexName = "index.smsp"
    static let identityName = ".smelt-cache-identity.json"
    static let syncIntervalNanoseconds: UInt64 = 2_000_000_000

    public let staging: StagingFolder
    public let identity: LogitCacheIdentity
    public let shard: LogitCacheManifest.Shard?
    /// Entries of the records staged so far, in ordinal order.
    public private(set) var entries: [LogitCacheEntry] = []
    /// Records an interrupted run had finished, kept by this one.
    public let keptRecordCount: Int
    /// Bytes of a torn last block dropped on resume.
    public let tornBytes: UInt64
    public private(set) var history: RunHistory
    private let records: SpillWriter
    /// A second spill file written in step with the records, one block per
    /// record before the record's own (a fused cache's per-record notes).
    private let sidecar: SpillWriter?
    /// The payloads of the sidecar blocks of the records kept on resume.
    public private(set) var keptSidecars: [[UInt8]] = []
    private var lastSyncNanoseconds = DispatchTime.now().uptimeNanoseconds
    private var needsFolderSync = true

    /// Claims the staging folder of `outputPath` and resumes the run staged
    /// there unless `restart`. Throws `resumeRefused` when the staged run
    /// had another identity or shard, before anything staged is touched.
    public init(
        outputPath: String, identity: LogitCacheIdentity, shard: LogitCacheManifest.Shard?, restart: Bool,
        sidecarName: String? = nil
    ) throws {
        // checked: created when missing, so claim returns a folder
        staging = try StagingFolder.claim(outputPath: outputPath, creating: true)!
        self.identity = identity
        self.shard = shard
        let work = staging.workPath
        if restart {
            for entry in try staging.contents() where entry != StagingFolder.lockFileName { try staging.remove(entry) }
        }
        let identityBytes = Self.identityBytes(identity, shard: shard)
        let identityPath = work + "/" + Self.identityName
        if try FileSystem.status(identityPath) != nil {
            let staged = try FileSystem.readSmallFile(identityPath, limit: 64 << 20)
            if staged != identityBytes {
                throw LogitCacheFolderError.resumeRefused(
                    stagingPath: staging.path, reason: Self.difference(staged, identity: identity, shard: shard))
            }
        } else {
            for entry in try staging.contents() where entry != StagingFolder.lockFileName { try staging.remove(entry) }
            try FileSystem.writeFileAtomically(identityPath, bytes: identityBytes)
        }
        var kept: [LogitCacheEntry] = []
        let stagingPath = staging.path
        do {
            records = try SpillWriter(appendingTo: work + "/" + Self.recordsName) { offset, payload in
                var cursor = 0
                var entry = try LogitCacheEntry.read(
                    payload, cursor: &cursor, withOffset: false, place: "\(stagingPath)/\(Self.recordsName)")
                entry.offset = offset
                kept.append(entry)
            }
        } catch let error as SpillError {
            throw LogitCacheFolderError.resumeRefused(
                stagingPath: stagingPath, reason: "its records are damaged: \(error)")
        }
        if let sidecarName {
            var payloads: [[UInt8]] = []
            var offsets: [UInt64] = []
            let sidecarPath = work + "/" + sidecarName
            do {
                sidecar = try SpillWriter(appendingTo: sidecarPath) { offset, payload in
                    offsets.append(offset)
                    if payloads.count < kept.count { payloads.append(Array(payload)) }
                }
            } catch let error as SpillError {
                throw LogitCacheFolderError.resumeRefused(
                    stagingPath: stagingPath, reason: "its \(sidecarName) is damaged: \(error)")
            }
            // The sidecar block is written first: keep the records both files finished.
            let keptCount = min(kept.count, offsets.count)
            if keptCount < offsets.count { try sidecar?.truncate(to: offsets[keptCount]) }
            if keptCount < kept.count {
                try records.truncate(to: kept[keptCount].offset)
                kept.removeLast(kept.count - keptCount)
            }
            keptSidecars = payloads
        } else {
            sidecar = nil
        }
        entries = kept
        keptRecordCount = kept.count
        tornBytes = records.recovered.tornBytes
        history = RunHistory.load(stagingPath: work)
        history.begin(keptBytes: records.length)
        try history.save(stagingPath: work)
    }

    /// Appends one record's block: its entry's head, then `payload` (the
    /// `LogitCodec` bytes). Records must come in ordinal order.
    public func append(_ entry: LogitCacheEntry, payload: [UInt8], sidecar sidecarPayload: [UInt8]? = nil) throws {
        if let sidecar {
            _ = try sidecar.append(sidecarPayload ?? [])
        }
        var block: [UInt8] = []
        block.reserveCapacity(payload.count + 32 + entry.id.utf8.count)
        entry.append(to: &block, withOffset: false)
        block += payload
        try appendBlock(entry, block: block)
    }

    /// Appends a record's whole block payload (head and codec bytes), as
    /// read from another cache.
    func appendBlock(_ entry: LogitCacheEntry, block: [UInt8]) throws {
        var placed = entry
        placed.offset = try records.append(block)
        entries.append(placed)
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastSyncNanoseconds >= Self.syncIntervalNanoseconds { try sync(now: now) }
    }

    private func sync(now: UInt64) throws {
        try sidecar?.sync()
        try records.sync()
        if needsFolderSync {
            try FileSystem.syncDirectory(staging.workPath)
            needsFolderSync = false
        }
        lastSyncNanoseconds = now
    }

    /// Ends the current run entry of `smelt-run.json` (interrupted, failed).
    public func recordOutcome(_ outcome: String) {
        history.finish(outcome, computedBytes: records.length)
        try? history.save(stagingPath: staging.workPath)
    }

    /// Writes the index and the manifest, syncs, and renames the staging
    /// folder to the output path. Returns the manifest.
    /// `extraFiles` are files the caller staged in the work folder (listed
    /// and digested in the manifest with the index, the records and the
    /// sidecar).
    public func publish(extraFiles: [String] = []) throws -> LogitCacheManifest {
        try sidecar?.sync()
        try records.sync()
        let work = staging.workPath
        let index = try SpillWriter(path: work + "/" + Self.indexName)
        for block in LogitCacheEntry.indexBlocks(entries) { try index.append(block) }
        try index.sync()
        var files: [LogitCacheManifest.File] = []
        let sidecarNames = sidecar.map { [$0.path.lastPathComponent] } ?? []
        for name in [Self.indexName, Self.recordsName] + sidecarNames + extraFiles {
            let (size, digest) = try RangeDigester.digest(ofFile: work + "/" + name)
            files.append(LogitCacheManifest.File(name: name, size: size, digest: digest))
        }
        let manifest = LogitCacheManifest(
            identity: identity, shard: shard, recordCount: entries.count,
            tokenCount: entries.reduce(0) { $0 + $1.tokens }, lossTokenCount: entries.reduce(0) { $0 + $1.lossTokens },
            files: files)
        try FileSystem.writeFileAtomically(work + "/" + LogitCacheManifest.fileName, bytes: manifest.rendered())
        history.finish("cached", computedBytes: records.length)
        try history.save(stagingPath: work)
        try FileSystem.syncDirectory(work)
        try staging.moveIntoPlace(replacingExisting: false)
        return manifest
    }

    static func identityBytes(_ identity: LogitCacheIdentity, shard: LogitCacheManifest.Shard?) -> [UInt8] {
        var members: [(String, JSONOutput)] = [("identity", identity.json)]
        if let shard {
            members.append(
                ("shard", .object([("index", .integer(Int64(shard.index))), ("count", .integer(Int64(shard.count)))])))
        }
        return Array((JSONOutput.object(members).rendered(pretty: true) + "\n").utf8)
    }

    /// What differs between a staged identity file and this run.
    static func difference(_ staged: [UInt8], identity: LogitCacheIdentity, shard: LogitCacheManifest.Shard?) -> String
    {
        guard let root = try? JSONScanner.parse(staged) else { return "its identity file is unreadable" }
        let fields = ManifestFields(root, place: identityName)
        guard let node = try? fields.node("identity"), let before = try? LogitCacheIdentity(json: node, place: "")
        else { return "its identity file is unreadable" }
        if let change = before.difference(from: identity) { return change }
        let stagedShard = (try? fields.object("shard")).flatMap { shardFields -> LogitCacheManifest.Shard? in
            guard let index = try? shardFields.integer("index"), let count = try? shardFields.integer("count") else {
                return nil
            }
            return LogitCacheManifest.Shard(index: index, count: count)
        }
        let describe = { (shard: LogitCacheManifest.Shard?) in shard.map { "\($0.index)/\($0.count)" } ?? "none" }
        return "--shard was \(describe(stagedShard)), now \(describe(shard))"
    }
}
