import Base

extension GGUFFile {
    /// XXH3-64 of everything before the data section: the header, the
    /// metadata and the tensor infos. With the size and modification time
    /// it identifies the file in a manifest (DESIGN.md, "Manifest").
    public func headerDigest() throws -> UInt64 {
        try RangeDigester.digests(of: file, ranges: [0..<header.headerEnd], threads: 1)[0]
    }

    /// The file's identity for a manifest and a journal, as the user wrote
    /// its path.
    public func manifestInput(pathAsWritten: String) throws -> Manifest.Input {
        let status = try file.status()
        let nanoseconds = String(status.modificationNanoseconds)
        return Manifest.Input(
            pathAsWritten: pathAsWritten, resolvedPath: try FileSystem.resolvedPath(path), size: status.size,
            modificationTime: "\(status.modificationSeconds)."
                + String(repeating: "0", count: max(0, 9 - nanoseconds.count)) + nanoseconds,
            headerDigest: try headerDigest())
    }

    /// Whether `path` starts with the GGUF magic.
    public static func hasMagic(path: String) -> Bool {
        guard let file = try? OpenFile.forReading(path), (try? file.status().size) ?? 0 >= 4 else { return false }
        var magic = [UInt8](repeating: 0, count: 4)
        guard (try? magic.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }) != nil else { return false }
        return magic == Array("GGUF".utf8)
    }
}
