import Base
#if canImport(Glibc)
import Glibc
#endif

/// `smelt verify`: every check Smelt can make of a checkpoint without
/// trusting it. Structure (the strict header rules), every tensor's bytes
/// against the digests in the shard headers and in the manifest, the
/// manifest's file list, optionally the inputs, and, in a Hugging Face
/// cache snapshot, each file's SHA-256 against its blob name.
public enum Verifier {
    /// Verifies `path` (a folder or one .safetensors file). Throws only
    /// when the path itself is missing or unreadable; everything wrong with
    /// the checkpoint is in the report. Files named in `unlistedFileNames`
    /// (a run history the writer's caller keeps) may be in the folder
    /// without being in its manifest.
    public static func verify(
        path: String, checkInputs: Bool = false, unlistedFileNames: Set<String> = [],
        progress: @Sendable (UInt64) -> Void = { _ in }
    ) throws -> VerificationReport {
        guard let status = try FileSystem.status(path) else {
            throw SystemError(call: "stat", path: path, errno: ENOENT)
        }
        var report = VerificationReport(path: path)
        var checkpoint: Checkpoint?
        do {
            checkpoint = try Checkpoint(path: path)
        } catch let error as CheckpointError {
            report.report(error.file, error.tensor, error.problem)
        } catch let error as SystemError where error.isMissingPath {
            report.report(error.path, nil, "file is missing (\(error.call))")
        }
        let folder = status.isDirectory ? path : path.deletingLastPathComponent
        let blobNames = status.isDirectory ? try HubCacheCheck.blobNames(in: folder) : nil
        var shardSHA256: [String: String] = [:]
        var computed: [String: (file: String, digest: UInt64)] = [:]
        if let checkpoint {
            let (digests, hashes) = try digestAll(checkpoint.files, blobNames: blobNames ?? [:], progress: progress)
            shardSHA256 = hashes
            for (file, fileDigests) in zip(checkpoint.files, digests) {
                report.files.append(fileDigests)
                checkEmbeddedDigests(file, fileDigests, &report)
                for (name, digest) in fileDigests.tensors { computed[name] = (file.path.lastPathComponent, digest) }
            }
        }
        if status.isDirectory, try FileSystem.status(folder + "/" + Manifest.fileName) != nil {
            try ManifestCheck.run(
                folder: folder, computed: computed, report: &report, checkInputs: checkInputs,
                unlistedFileNames: unlistedFileNames)
        }
        if let blobNames {
            try HubCacheCheck.run(
                folder: folder, blobNames: blobNames, precomputed: shardSHA256, report: &report, progress: progress)
        }
        return report
    }

    /// Digests of every shard. Shards stored in the Hugging Face cache under
    /// a SHA-256 blob name also get their SHA-256 in the same single pass
    /// (one pass per shard, shards spread over the cores), so a model larger
    /// than the page cache is read from disk once, not twice.
    private static func digestAll(
        _ files: [SafeTensorsFile], blobNames: [String: String], progress: @Sendable (UInt64) -> Void
    ) throws -> (digests: [FileDigests], sha256: [String: String]) {
        let needsSHA256 = files.map { blobNames[$0.path.lastPathComponent].map(HubCacheCheck.isSHA256Name) ?? false }
        guard needsSHA256.contains(true) else {
            return (try files.map { try $0.computeDigests(progress: progress) }, [:])
        }
        let collected = try concurrentMap(count: files.count, threads: defaultThreadCount, makeState: {}) {
            (index, _) throws(SystemError) -> (FileDigests, String?) in
            let file = files[index]
            guard needsSHA256[index] else { return (try file.computeDigests(threads: 1, progress: progress), nil) }
            let ranges = file.header.tensors.map { file.fileRange(of: $0) }
            let pass = try RangeDigester.sha256AndDigests(
                of: file.file, size: file.size, ranges: ranges, progress: progress)
            let header = file.mapping.withBytes(in: file.headerRange) { XXH3.digest($0) }
            return (
                FileDigests(
                    path: file.path, size: file.size, header: header,
                    tensors: Array(zip(file.header.tensors.map(\.name), pass.digests))), pass.sha256
            )
        }
        var hashes: [String: String] = [:]
        for (digests, sha) in collected { if let sha { hashes[digests.path.lastPathComponent] = sha } }
        return (collected.map(\.0), hashes)
    }

    private static func checkEmbeddedDigests(
        _ file: SafeTensorsFile, _ digests: FileDigests, _ report: inout VerificationReport
    ) {
        let names = Set(digests.tensors.map(\.name))
        for (key, _) in file.header.metadata where key.utf8.starts(with: "xxh3:".utf8) {
            report.headerDigestsFound = true
            let name = String(decoding: key.utf8.dropFirst(5), as: UTF8.self)
            if !names.contains(name) {
                report.report(file.path, name, "__metadata__ has a digest for a tensor the file does not store")
            }
        }
        for (name, digest) in digests.tensors {
            guard let stored = file.header.metadataValue("xxh3:" + name) else { continue }
            if stored == digestPlaceholder {
                report.report(file.path, name, "digest placeholder was never patched: the file is unfinished")
            } else if let expected = XXH3.parseHex(stored) {
                if expected == digest {
                    report.verifiedTensorNames.insert(name)
                } else {
                    report.tensorsMismatched += 1
                    report.report(
                        file.path, name,
                        "data does not match its digest (header says \(stored), data hashes to \(XXH3.hex(digest)))")
                }
            } else {
                report.report(file.path, name, "stored digest \"\(stored)\" is not 16 lowercase hex digits")
            }
        }
    }
}
