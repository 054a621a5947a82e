import Base
/// The Hugging Face cache stores each file once under `blobs/`, named by
/// its SHA-256 for large (LFS) files or by its git object id for small
/// ones, and links it from `snapshots/<revision>/`. Recomputing the SHA-256
/// of each linked large file proves a download is intact.
enum HubCacheCheck {
    /// For a folder shaped `.../snapshots/<revision>` with a `blobs` folder
    /// two levels up: each linked entry's name and the blob name it links
    /// to. Nil for any other folder.
    static func blobNames(in folder: String) throws -> [String: String]? {
        let snapshots = folder.deletingLastPathComponent
        guard snapshots.lastPathComponent == "snapshots",
            try FileSystem.status(snapshots.deletingLastPathComponent + "/blobs")?.isDirectory == true
        else { return nil }
        var names: [String: String] = [:]
        for name in try FileSystem.contents(ofDirectory: folder) where FileSystem.isSymbolicLink(folder + "/" + name) {
            names[name] = try FileSystem.linkTarget(folder + "/" + name).lastPathComponent
        }
        return names
    }

    /// Whether a blob name is a SHA-256 (64 lowercase hex digits) rather
    /// than a 40-digit git object id.
    static func isSHA256Name(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Compares every linked file's SHA-256 with its blob name, hashing
    /// those not in `precomputed` (entry name to SHA-256).
    static func run(
        folder: String, blobNames: [String: String], precomputed: [String: String],
        report: inout VerificationReport, progress: (UInt64) -> Void
    ) throws {
        for (name, blobName) in blobNames.sorted(by: { $0.key < $1.key }) {
            let path = folder + "/" + name
            guard isSHA256Name(blobName) else {
                report.hubFilesNotCheckable += 1
                continue
            }
            guard try FileSystem.status(path) != nil else {
                report.report(path, nil, "links to blob \(blobName), which is missing")
                continue
            }
            let actual = try precomputed[name] ?? sha256(of: path, progress: progress)
            report.hubFilesChecked += 1
            if actual != blobName {
                report.report(
                    path, nil,
                    "SHA-256 is \(actual) but the cache stores it as blob \(blobName): the download is corrupt")
            }
        }
    }

    /// SHA-256 of a whole file, read through one reused buffer.
    static func sha256(of path: String, progress: (UInt64) -> Void) throws(SystemError) -> String {
        let file = try OpenFile.forReading(path)
        return try RangeDigester.sha256AndDigests(of: file, size: file.status().size, ranges: [], progress: progress)
            .sha256
    }
}
