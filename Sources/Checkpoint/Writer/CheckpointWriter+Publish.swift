import Base
extension CheckpointWriter {
    /// Finishes and publishes the output: digests in one in-order pass,
    /// placeholders patched, index (when sharded) and manifest written,
    /// every file and the folder synced, the staged folder re-read as a
    /// checkpoint, then renamed to the output path and the parent synced.
    /// `manifest` supplies the recipe and inputs; files and tensors are
    /// filled in here. With `replacingExisting`, an existing output folder
    /// is replaced (moved aside, then removed after the rename).
    /// `knownDigests` are tensor digests the caller computed in order while
    /// writing; only the other tensors are read back and hashed here.
    @discardableResult
    public func publish(
        manifest: Manifest, replacingExisting: Bool = false, knownDigests: [String: UInt64] = [:],
        unlistedFileNames: Set<String> = []
    ) throws -> Manifest {
        if try staging.outputEntryType() != nil, !replacingExisting { throw WriterError.outputExists(path: outputPath) }
        var manifest = manifest
        manifest.files = []
        manifest.tensors = []
        for (shard, file) in zip(shards, shardFiles) {
            try file.sync()
            let staged = try SafeTensorsFile(path: file.path)
            let unknown = shard.placements.filter { knownDigests[$0.tensor.name] == nil }
            let computed = try RangeDigester.digests(
                of: staged.file, ranges: unknown.map(\.fileRange), threads: defaultThreadCount)
            let fresh = Dictionary(uniqueKeysWithValues: zip(unknown.map(\.tensor.name), computed))
            for placement in shard.placements {
                let digest = knownDigests[placement.tensor.name] ?? fresh[placement.tensor.name] ?? 0
                try file.write(XXH3.hex(digest), at: placement.digestOffset)
                manifest.tensors.append(
                    Manifest.Tensor(
                        name: placement.tensor.name, file: shard.fileName, dtype: placement.tensor.dtype,
                        shape: placement.tensor.shape, digest: digest))
            }
            try file.sync()
            FaultInjection.crashPoint("publish.patched-shard")
            // The mapping is shared, so it already shows the patched digests.
            let headerDigest = staged.mapping.withBytes(in: staged.headerRange) { XXH3.digest($0) }
            manifest.files.append(
                Manifest.File(
                    name: shard.fileName, size: shard.fileSize, headerDigest: headerDigest, contentDigest: nil))
        }
        if shards.count > 1 { try addFile(named: CheckpointIndex.fileName, bytes: Array(indexJSON().utf8)) }
        for name in try staging.contents() where !name.hasPrefix(".") && !name.hasSuffix(".safetensors") {
            guard name != Manifest.fileName, !unlistedFileNames.contains(name) else { continue }
            let bytes = try FileSystem.readSmallFile(staging.workPath + "/" + name, limit: 1 << 30)
            manifest.files.append(
                Manifest.File(
                    name: name, size: UInt64(bytes.count), headerDigest: nil, contentDigest: XXH3.digest(bytes)))
        }
        manifest.files.sort { $0.name < $1.name }
        try addFile(named: Manifest.fileName, bytes: Array(manifest.rendered().utf8))
        try staging.folder.sync()
        try checkStaged(manifest)
        try staging.moveIntoPlace(replacingExisting: replacingExisting)
        return manifest
    }

    /// transformers' index: total data bytes and, sorted by tensor name,
    /// the shard of each tensor.
    private func indexJSON() -> String {
        let placements = shards.flatMap(\.placements)
        let total = placements.reduce(UInt64(0)) { $0 + UInt64($1.fileRange.count) }
        let map = placements.sorted { $0.tensor.name < $1.tensor.name }.map {
            ($0.tensor.name, JSONOutput.string(shards[$0.shardIndex].fileName))
        }
        return JSONOutput.object([
            ("metadata", .object([("total_size", .unsigned(total))])),
            ("weight_map", .object(map)),
        ]).rendered(pretty: true) + "\n"
    }

    /// Re-opens the staged folder as any reader would and checks that every
    /// digest is patched and every tensor is where the layout put it.
    private func checkStaged(_ manifest: Manifest) throws {
        let staged: Checkpoint
        do { staged = try Checkpoint(path: staging.workPath) } catch {
            throw WriterError.stagedOutputInvalid(path: stagingPath, problem: "\(error)")
        }
        let expected = Dictionary(uniqueKeysWithValues: manifest.tensors.map { ($0.name, $0.digest) })
        for (file, tensor) in staged.tensors {
            guard let stored = file.header.metadataValue("xxh3:" + tensor.name),
                XXH3.parseHex(stored) == expected[tensor.name]
            else {
                throw WriterError.stagedOutputInvalid(
                    path: stagingPath, problem: "digest of \"\(tensor.name)\" was not patched")
            }
        }
        guard staged.tensors.count == expected.count else {
            throw WriterError.stagedOutputInvalid(
                path: stagingPath, problem: "\(staged.tensors.count) tensors staged, \(expected.count) planned")
        }
    }

    /// Finishes a publish that a crash cut short after the staged folder
    /// was complete and its bookkeeping already removed (so no journal is
    /// left to resume from): if the staged folder passes a full `verify`
    /// against its manifest, it is moved into place and this returns true.
    /// Otherwise nothing changes and the caller starts the run afresh.
    public static func publishFinishedStaging(
        outputPath: String, replacingExisting: Bool, unlistedFileNames: Set<String> = []
    ) throws -> Bool {
        let stagingPath = stagingPath(for: outputPath)
        guard try FileSystem.status(stagingPath + "/" + Manifest.fileName) != nil,
            let staging = try StagingFolder.claim(outputPath: outputPath, creating: false),
            let report = try? Verifier.verify(path: staging.workPath, unlistedFileNames: unlistedFileNames),
            report.isClean, report.manifestChecked
        else { return false }
        try staging.moveIntoPlace(replacingExisting: replacingExisting)
        return true
    }
}
