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
    /// the checkpoint is in the report.
    public static func verify(path: String, checkInputs: Bool = false, progress: @Sendable (UInt64) -> Void = { _ in }) throws -> VerificationReport {
        guard let status = try FileSystem.status(path) else { throw SystemError(call: "stat", path: path, errno: ENOENT) }
        var report = VerificationReport(path: path)
        var checkpoint: Checkpoint?
        do {
            checkpoint = try Checkpoint(path: path)
        } catch let error as CheckpointError {
            report.report(error.file, error.tensor, error.problem)
        } catch let error as SystemError where error.isMissingPath {
            report.report(error.path, nil, "file is missing (\(error.call))")
        }
        var computed: [String: (file: String, digest: UInt64)] = [:]
        if let checkpoint {
            for file in checkpoint.files {
                let digests = try file.computeDigests(progress: progress)
                report.files.append(digests)
                checkEmbeddedDigests(file, digests, &report)
                for (name, digest) in digests.tensors { computed[name] = (file.path.lastPathComponent, digest) }
            }
        }
        let folder = status.isDirectory ? path : path.deletingLastPathComponent
        if status.isDirectory, try FileSystem.status(folder + "/" + Manifest.fileName) != nil {
            try ManifestCheck.run(folder: folder, computed: computed, report: &report, checkInputs: checkInputs)
        }
        if status.isDirectory { try HubCacheCheck.run(folder: folder, report: &report, progress: progress) }
        return report
    }

    private static func checkEmbeddedDigests(_ file: SafeTensorsFile, _ digests: FileDigests, _ report: inout VerificationReport) {
        let names = Set(digests.tensors.map(\.name))
        for (key, _) in file.header.metadata where key.hasPrefix("xxh3:") && !names.contains(String(key.dropFirst(5))) {
            report.report(file.path, String(key.dropFirst(5)), "__metadata__ has a digest for a tensor the file does not store")
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
                    report.report(file.path, name, "data does not match its digest (header says \(stored), data hashes to \(XXH3.hex(digest)))")
                }
            } else {
                report.report(file.path, name, "stored digest \"\(stored)\" is not 16 lowercase hex digits")
            }
        }
    }
}
