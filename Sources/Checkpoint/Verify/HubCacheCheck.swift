/// The Hugging Face cache stores each file once under `blobs/`, named by
/// its SHA-256 for large (LFS) files or by its git object id for small
/// ones, and links it from `snapshots/<revision>/`. Recomputing the SHA-256
/// of each linked large file proves a download is intact.
enum HubCacheCheck {

    /// Whether `folder` looks like `.../snapshots/<revision>` with a
    /// `blobs` folder two levels up.
    static func isSnapshot(_ folder: String) throws -> Bool {
        let snapshots = folder.deletingLastPathComponent
        guard snapshots.lastPathComponent == "snapshots" else { return false }
        return try FileSystem.status(snapshots.deletingLastPathComponent + "/blobs")?.isDirectory == true
    }

    static func run(folder: String, report: inout VerificationReport, progress: (UInt64) -> Void) throws {
        guard try isSnapshot(folder) else { return }
        for name in try FileSystem.contents(ofDirectory: folder) {
            let path = folder + "/" + name
            guard FileSystem.isSymbolicLink(path) else { continue }
            let blobName = try FileSystem.linkTarget(path).lastPathComponent
            let isHex = blobName.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
            guard isHex, blobName.utf8.count == 64 else {
                report.hubFilesNotCheckable += 1
                continue
            }
            guard try FileSystem.status(path) != nil else {
                report.report(path, nil, "links to blob \(blobName), which is missing")
                continue
            }
            let actual = try sha256(of: path, progress: progress)
            report.hubFilesChecked += 1
            if actual != blobName {
                report.report(path, nil, "SHA-256 is \(actual) but the cache stores it as blob \(blobName): the download is corrupt")
            }
        }
    }

    /// SHA-256 of a whole file, read through one reused buffer.
    static func sha256(of path: String, progress: (UInt64) -> Void) throws(SystemError) -> String {
        let file = try OpenFile.forReading(path)
        let size = try file.status().size
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RangeDigester.defaultWindowBytes, alignment: 64)
        defer { buffer.deallocate() }
        try file.readWindows(of: 0..<size, through: buffer) { window in
            hasher.update(window)
            progress(UInt64(window.count))
        }
        return hasher.finalizeHex()
    }
}
