import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor that closes itself. Every read, write and sync
/// of a file Smelt touches goes through here, so each syscall is wrapped
/// once, retries EINTR, and throws a `SystemError` naming the path.
public final class OpenFile: @unchecked Sendable {
    // @unchecked Sendable: the descriptor and path never change after init,
    // and pread/pwrite at explicit offsets are safe from several threads.
    public let descriptor: Int32
    public let path: String

    /// Opens an existing regular file for reading. Opening never blocks
    /// (O_NONBLOCK, which does nothing to a regular file's reads), and a
    /// FIFO, socket, device or folder is refused before anything is read:
    /// a FIFO would otherwise hang the open for ever, a device never ends.
    public static func forReading(_ path: String) throws(SystemError) -> OpenFile {
        let file = try OpenFile(path: path, flags: O_RDONLY | O_NONBLOCK | O_CLOEXEC, mode: 0)
        var info = stat()
        _ = try retryingInterrupts("fstat", path: path) { fstat(file.descriptor, &info) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SystemError(path: path, refusal: .notARegularFile(kind: FileStatus.kindName(of: info.st_mode)))
        }
        return file
    }

    // The files Smelt writes are its own and never symbolic links: a link
    // planted in their place is refused (O_NOFOLLOW), not written through.

    /// Creates (or truncates) a file for reading and writing.
    public static func creating(_ path: String) throws(SystemError) -> OpenFile {
        try OpenFile(path: path, flags: O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode: 0o644)
    }

    /// Opens an existing file for reading and writing.
    public static func forUpdating(_ path: String) throws(SystemError) -> OpenFile {
        try OpenFile(path: path, flags: O_RDWR | O_NOFOLLOW | O_CLOEXEC, mode: 0)
    }

    /// Opens a file for reading and writing, creating it empty if missing.
    public static func forUpdatingOrCreating(_ path: String) throws(SystemError) -> OpenFile {
        try OpenFile(path: path, flags: O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode: 0o644)
    }

    /// Opens an existing file for writing past the page cache (O_DIRECT):
    /// buffers, offsets and lengths must then be multiples of the file
    /// system's block size. Nil where the file system has no direct I/O.
    public static func forDirectWriting(_ path: String) throws(SystemError) -> OpenFile? {
        do {
            return OpenFile(
                path: path,
                descriptor: try retryingInterrupts("open (O_DIRECT)", path: path) { smelt_open_direct_writing(path) })
        } catch  where error.errno == EINVAL {
            return nil
        }
    }

    private init(path: String, flags: Int32, mode: mode_t) throws(SystemError) {
        self.path = path
        self.descriptor = try retryingInterrupts("open", path: path) { open(path, flags, mode) }
    }

    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The file's size and modification time, from fstat.
    public func status() throws(SystemError) -> FileStatus {
        var info = stat()
        _ = try retryingInterrupts("fstat", path: path) { fstat(descriptor, &info) }
        return FileStatus(info)
    }

    /// Reads exactly `buffer.count` bytes at `offset`, or throws; a file that
    /// ends early is an EIO-like short read reported with the path.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SystemError) {
        var done = 0
        while done < buffer.count {
            let count = try retryingInterrupts("pread", path: path) {
                pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))  // checked: count > 0 so base is non-nil
            }
            if count == 0 { throw SystemError(call: "pread (file ended early)", path: path, errno: EIO) }
            done += count
        }
    }

    /// Reads `range` front to back through `buffer`, handing `body` each
    /// filled window: the one streaming read loop, shared by every digest.
    public func readWindows(
        of range: Range<UInt64>, through buffer: UnsafeMutableRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void
    ) throws(SystemError) {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let count = Int(min(UInt64(buffer.count), range.upperBound - offset))
            let window = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            try read(into: window, at: offset)
            body(UnsafeRawBufferPointer(window))
            offset += UInt64(count)
        }
    }

    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(SystemError) {
        if let injected = FaultInjection.writeError(path: path, count: bytes.count) {
            throw SystemError(call: "pwrite", path: path, errno: injected)
        }
        var done = 0
        while done < bytes.count {
            let count = try retryingInterrupts("pwrite", path: path) {
                pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))  // checked: count > 0 so base is non-nil
            }
            done += count
        }
    }

    /// Writes the UTF-8 bytes of `text` at `offset`.
    public func write(_ text: String, at offset: UInt64) throws(SystemError) {
        var text = text
        let result = text.withUTF8 { bytes in
            Result { () throws(SystemError) in try write(UnsafeRawBufferPointer(bytes), at: offset) }
        }
        try result.get()
    }

    /// Sets the file's length; new bytes read as zero.
    public func truncate(to length: UInt64) throws(SystemError) {
        _ = try retryingInterrupts("ftruncate", path: path) { ftruncate(descriptor, off_t(length)) }
    }

    /// Reserves disk blocks for the whole file up front, so a full disk shows
    /// now and not an hour into a run. File systems without fallocate fall
    /// back to a sparse ftruncate.
    public func preallocate(length: UInt64) throws(SystemError) {
        if length > 0 {
            let result = smelt_fallocate(descriptor, 0, off_t(length))
            if result != 0 {
                let code = errno
                if code != EOPNOTSUPP && code != ENOSYS && code != EINVAL {
                    throw SystemError(call: "fallocate", path: path, errno: code)
                }
            }
        }
        try truncate(to: length)
    }

    /// Starts writing `range` back to disk without waiting, so a later
    /// `sync` has little left to do (sync_file_range, SYNC_FILE_RANGE_WRITE).
    public func startWriteback(_ range: Range<UInt64>) throws(SystemError) {
        _ = try retryingInterrupts("sync_file_range", path: path) {
            smelt_start_writeback(descriptor, off_t(range.lowerBound), off_t(range.count))
        }
    }

    /// Flushes the file's data and metadata to the disk.
    public func sync() throws(SystemError) {
        _ = try retryingInterrupts("fsync", path: path) { fsync(descriptor) }
    }

    /// Takes an exclusive advisory lock without waiting; false if another
    /// process holds it.
    public func tryLockExclusive() throws(SystemError) -> Bool {
        while true {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK { return false }
            throw SystemError(call: "flock", path: path, errno: code)
        }
    }
}

/// A file's device and inode number: equal for two paths to one file.
public struct FileIdentity: Sendable, Hashable {
    public let device: UInt64
    public let inode: UInt64
}

/// What fstat or stat said about a file.
public struct FileStatus: Sendable, Equatable {
    public let size: UInt64
    public let modificationSeconds: Int64
    public let modificationNanoseconds: Int64
    public let isDirectory: Bool
    public let isRegularFile: Bool
    /// The device and inode: which file this is, whatever path reached it.
    public let identity: FileIdentity

    /// The kind of file a `st_mode` names, for messages ("a FIFO").
    public static func kindName(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }

    init(_ info: stat) {
        size = UInt64(max(0, info.st_size))
        modificationSeconds = Int64(info.st_mtim.tv_sec)
        modificationNanoseconds = Int64(info.st_mtim.tv_nsec)
        isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        isRegularFile = (info.st_mode & S_IFMT) == S_IFREG
        identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
