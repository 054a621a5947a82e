#if canImport(Glibc)
import Glibc
#endif

/// Path-level system calls, each wrapped once (STYLE.md, rule 1).
public enum FileSystem {
    /// stat(2) following symbolic links; nil when nothing is there.
    public static func status(_ path: String) throws(SystemError) -> FileStatus? {
        var info = stat()
        if stat(path, &info) == 0 { return FileStatus(info) }
        let code = errno
        if code == ENOENT || code == ENOTDIR { return nil }
        throw SystemError(call: "stat", path: path, errno: code)
    }

    /// Bytes an unprivileged process may still write on the file system
    /// holding `path` (statvfs: available blocks times fragment size).
    public static func availableBytes(at path: String) throws(SystemError) -> UInt64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw SystemError(call: "statvfs", path: path, errno: errno) }
        return UInt64(info.f_bavail) &* UInt64(info.f_frsize)
    }

    /// Physical memory of the machine, in bytes.
    public static var physicalMemoryBytes: UInt64 {
        UInt64(max(0, sysconf(Int32(_SC_PHYS_PAGES)))) &* UInt64(max(0, sysconf(Int32(_SC_PAGESIZE))))
    }

    /// Whether `path` is a symbolic link (lstat).
    public static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// The target a symbolic link stores, as written.
    public static func linkTarget(_ path: String) throws(SystemError) -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = try retryingInterrupts("readlink", path: path) {
            readlink(path, &buffer, buffer.count - 1)
        }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// The absolute path with every link resolved.
    public static func resolvedPath(_ path: String) throws(SystemError) -> String {
        guard let resolved = realpath(path, nil) else {
            throw SystemError(call: "realpath", path: path, errno: errno)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Names in a folder, sorted, without "." and "..".
    public static func contents(ofDirectory path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError(call: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))  // checked: d_name is a fixed array, never empty
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates a folder; an existing folder is fine.
    public static func createDirectory(_ path: String) throws(SystemError) {
        if mkdir(path, 0o755) == 0 { return }
        let code = errno
        if code == EEXIST, (try? status(path))??.isDirectory == true { return }
        throw SystemError(call: "mkdir", path: path, errno: code)
    }

    /// rename(2): atomic within one file system.
    public static func rename(_ source: String, to destination: String) throws(SystemError) {
        _ = try retryingInterrupts("rename", path: source) { Glibc.rename(source, destination) }
    }

    /// Removes one file; a missing file is fine.
    public static func removeFile(_ path: String) throws(SystemError) {
        if unlink(path) == 0 || errno == ENOENT { return }
        throw SystemError(call: "unlink", path: path, errno: errno)
    }

    /// Removes a folder and everything in it (no links are followed).
    public static func removeTree(_ path: String) throws(SystemError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw SystemError(call: "lstat", path: path, errno: errno)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try contents(ofDirectory: path) { try removeTree(path + "/" + name) }
            _ = try retryingInterrupts("rmdir", path: path) { rmdir(path) }
        } else {
            try removeFile(path)
        }
    }

    /// fsync of a folder, so a rename or a new entry in it survives a crash.
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let descriptor = try retryingInterrupts("open", path: path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(descriptor) }
        _ = try retryingInterrupts("fsync", path: path) { fsync(descriptor) }
    }

    /// Reads a whole small file, refusing one larger than `limit` bytes
    /// before allocating anything.
    public static func readSmallFile(_ path: String, limit: UInt64) throws(SystemError) -> [UInt8] {
        let file = try OpenFile.forReading(path)
        let size = try file.status().size
        guard size <= limit else { throw SystemError(path: path, refusal: .tooLarge(limitBytes: limit)) }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let result = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(SystemError) in try file.read(into: buffer, at: 0) }
        }
        try result.get()
        return bytes
    }

    /// Reads a file to its end, for files whose size `stat` does not
    /// tell (procfs reports 0); at most `limit` bytes.
    public static func readUntilEnd(_ path: String, limit: Int) throws(SystemError) -> [UInt8] {
        let file = try OpenFile.forReading(path)
        var bytes = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < limit {
            let filled = count
            let read = try retryingInterrupts("read", path: path) {
                bytes.withUnsafeMutableBytes { buffer in
                    Glibc.read(file.descriptor, buffer.baseAddress! + filled, limit - filled)  // checked: limit > filled
                }
            }
            if read == 0 { break }
            count += read
        }
        return Array(bytes[..<count])
    }

    /// Writes a small file whole: to a temporary name, fsync, rename.
    public static func writeFileAtomically(_ path: String, bytes: [UInt8]) throws(SystemError) {
        // Hidden, so a copy left by a crash is never taken for a real file.
        let parent = path.deletingLastPathComponent
        let temporary = (parent.isEmpty ? "" : parent + "/") + "." + path.lastPathComponent + ".tmp"
        let file = try OpenFile.creating(temporary)
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(SystemError) in try file.write(buffer, at: 0) }
        }
        try result.get()
        try file.sync()
        try rename(temporary, to: path)
    }
}

/// Path splitting on the byte 0x2F, as the kernel does. Splitting on the
/// Character "/" would miss a slash followed by a combining mark.
extension String {
    private var pathBytesWithoutTrailingSlash: ArraySlice<UInt8> {
        let bytes = Array(utf8)
        return bytes.count > 1 && bytes.last == 0x2F ? bytes.dropLast() : bytes[...]
    }

    /// The last path component.
    public var lastPathComponent: String {
        let bytes = pathBytesWithoutTrailingSlash
        guard let slash = bytes.lastIndex(of: 0x2F) else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes[(slash + 1)...], as: UTF8.self)
    }

    /// The path without its last component ("." when there is none).
    public var deletingLastPathComponent: String {
        let bytes = pathBytesWithoutTrailingSlash
        guard let slash = bytes.lastIndex(of: 0x2F) else { return "." }
        return slash == bytes.startIndex ? "/" : String(decoding: bytes[..<slash], as: UTF8.self)
    }
}
