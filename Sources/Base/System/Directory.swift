import CSystemShims
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An open folder through which entries are looked at, created, opened,
/// renamed and removed by name (the `*at` calls), never through a path that
/// someone could swap for a symbolic link between a check and a use. Folders
/// opened inside it refuse to follow a link (O_NOFOLLOW).
public final class Directory: @unchecked Sendable {
    // @unchecked Sendable: the descriptor and path never change after init,
    // and the *at calls on one descriptor are safe from several threads.
    public let descriptor: Int32
    /// The path it was opened by, for messages.
    public let path: String

    /// Opens the folder at `path` (links in `path` are followed: the user
    /// named it).
    public static func open(_ path: String) throws(SystemError) -> Directory {
        let descriptor = try retryingInterrupts("open", path: path) {
            smelt_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        }
        return Directory(descriptor: descriptor, path: path)
    }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    // The anchored path stays known after close: an error that quotes it
    // is often printed after the folder is gone; a new folder that gets
    // the same descriptor number replaces the entry.
    deinit { close(descriptor) }

    private func childPath(_ name: String) -> String { (path == "/" ? "" : path) + "/" + name }

    /// The file type bits (`S_IFMT` part of `st_mode`) of entry `name`,
    /// without following a link; nil when there is no such entry.
    public func entryType(_ name: String) throws(SystemError) -> mode_t? {
        var info = stat()
        if fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 { return info.st_mode & S_IFMT }
        let code = errno
        if code == ENOENT { return nil }
        throw SystemError(call: "fstatat", path: childPath(name), errno: code)
    }

    /// Creates folder `name`; false when an entry of that name exists.
    public func createFolder(_ name: String) throws(SystemError) -> Bool {
        if mkdirat(descriptor, name, 0o755) == 0 { return true }
        let code = errno
        if code == EEXIST { return false }
        throw SystemError(call: "mkdirat", path: childPath(name), errno: code)
    }

    /// Opens folder `name`, refusing a symbolic link (ELOOP) or a file.
    public func openFolder(_ name: String) throws(SystemError) -> Directory {
        let descriptor = try retryingInterrupts("openat", path: childPath(name)) {
            smelt_openat(self.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
        }
        return Directory(descriptor: descriptor, path: childPath(name))
    }

    /// Opens file `name` with `flags` (O_NOFOLLOW is added), creating it
    /// with mode 0644 when the flags say so.
    public func openFile(_ name: String, flags: Int32) throws(SystemError) -> OpenFile {
        let descriptor = try retryingInterrupts("openat", path: childPath(name)) {
            smelt_openat(self.descriptor, name, flags | O_NOFOLLOW | O_CLOEXEC, 0o644)
        }
        return OpenFile(path: childPath(name), descriptor: descriptor)
    }

    /// Names in the folder, sorted, without "." and "..".
    public func contents() throws(SystemError) -> [String] {
        let copy = try retryingInterrupts("openat", path: path) {
            smelt_openat(descriptor, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        }
        guard let stream = fdopendir(copy) else {
            let code = errno
            close(copy)
            throw SystemError(call: "fdopendir", path: path, errno: code)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))  // checked: d_name is a fixed array
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Renames entry `name` to `newName` inside this folder (renameat).
    public func rename(_ name: String, to newName: String) throws(SystemError) {
        _ = try retryingInterrupts("renameat", path: childPath(name)) {
            renameat(descriptor, name, descriptor, newName)
        }
    }

    /// Removes entry `name` and, if it is a folder, everything in it; a
    /// link is removed, never followed. A missing entry is fine.
    public func removeTree(_ name: String) throws(SystemError) {
        guard let type = try entryType(name) else { return }
        if type == S_IFDIR {
            let child = try openFolder(name)
            for entry in try child.contents() { try child.removeTree(entry) }
            _ = try retryingInterrupts("unlinkat", path: childPath(name)) { unlinkat(descriptor, name, AT_REMOVEDIR) }
        } else {
            if unlinkat(descriptor, name, 0) == 0 || errno == ENOENT { return }
            throw SystemError(call: "unlinkat", path: childPath(name), errno: errno)
        }
    }

    /// fsync of the folder, so entries created or renamed in it survive a crash.
    public func sync() throws(SystemError) {
        _ = try retryingInterrupts("fsync", path: path) { fsync(descriptor) }
    }

    /// A path that reaches this very folder through its descriptor
    /// (`/proc/self/fd/N`), for code that works with paths: renaming or
    /// replacing the folder's name cannot redirect it. Messages show
    /// `path` instead (`AnchoredPaths`). Where /proc is not mounted, `path`.
    public var anchoredPath: String {
        guard AnchoredPaths.isAvailable else { return path }
        AnchoredPaths.remember(anchor, shownAs: path)
        return anchor
    }

    private var anchor: String { "/proc/self/fd/\(descriptor)" }
}

/// Which anchored paths (`Directory.anchoredPath`) stand for which folder,
/// so that messages name the folder the user knows.
public enum AnchoredPaths {
    private static let shown = Mutex<[String: String]>([:])

    /// Whether this system reaches open folders through /proc/self/fd.
    static let isAvailable: Bool = {
        var info = stat()
        return stat("/proc/self/fd", &info) == 0
    }()

    static func remember(_ anchor: String, shownAs path: String) { shown.withLock { $0[anchor] = path } }

    /// `text` with every anchored path in it replaced by the folder it
    /// stands for (messages may quote a path anywhere).
    public static func displayed(_ text: String) -> String {
        guard text.contains("/proc/self/fd/") else { return text }
        let table = shown.withLock { $0 }
        var result = text
        // Longest first, so /proc/self/fd/12 is not read as /proc/self/fd/1.
        for (anchor, folder) in table.sorted(by: { $0.key.count > $1.key.count }) {
            let pieces = result.split(separator: anchor, omittingEmptySubsequences: false)
            guard pieces.count > 1 else { continue }
            var joined = String(pieces[0])
            for piece in pieces.dropFirst() {
                let continuesNumber = piece.first.map { $0.isASCII && $0.isNumber } ?? false
                joined += (continuesNumber ? anchor : folder) + piece
            }
            result = joined
        }
        return result
    }
}
