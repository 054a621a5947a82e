import Base
#if canImport(Glibc)
import Glibc
#endif

/// The hidden sibling `.OUT.smelt-partial` where an output is staged,
/// claimed through a descriptor of OUT's parent (DESIGN.md, principle 6):
/// an entry of that name that is a symbolic link, a file, or a folder that
/// Smelt did not stage (neither empty nor holding its lock file) is refused,
/// never followed, emptied or written into. Once claimed and locked, the
/// folder is reached through its own descriptor (`workPath`), so renaming
/// or replacing the name in the parent cannot redirect Smelt's writes and
/// deletions; publishing renames it by name inside the parent's descriptor.
public final class StagingFolder: Sendable {
    /// The staging folder's path, for messages.
    public let path: String
    /// The output path it is published to.
    public let outputPath: String
    /// A path that reaches the claimed folder itself, for every read and
    /// write inside it (`Directory.anchoredPath`).
    public let workPath: String
    let parent: Directory
    let folder: Directory
    private let lock: OpenFile
    private let name: String
    private let outputName: String

    /// The lock file's name: its presence marks a folder Smelt staged.
    public static let lockFileName = ".smelt-lock"

    /// The staging folder's path for `outputPath`: a hidden sibling, so the
    /// final rename stays on one file system.
    public static func path(for outputPath: String) -> String {
        let parent = outputPath.deletingLastPathComponent
        return (parent == "/" ? "" : parent) + "/." + outputPath.lastPathComponent + ".smelt-partial"
    }

    /// Claims and locks the staging folder of `outputPath`, creating it when
    /// `creating`; nil when it is absent and not to be created.
    public static func claim(outputPath: String, creating: Bool) throws -> StagingFolder? {
        let parent = try Directory.open(outputPath.deletingLastPathComponent)
        let name = path(for: outputPath).lastPathComponent
        let stagingPath = path(for: outputPath)
        if try parent.entryType(name) == nil {
            guard creating else { return nil }
            _ = try parent.createFolder(name)
        }
        guard let type = try parent.entryType(name) else { throw WriterError.stagingVanished(path: stagingPath) }
        guard type == S_IFDIR else {
            throw WriterError.stagingNotOurs(path: stagingPath, problem: "it is \(FileStatus.kindName(of: type))")
        }
        let folder = try refusingLinks(stagingPath, "it was replaced while being opened") { () throws(SystemError) in
            try parent.openFolder(name)
        }
        let entries = try folder.contents()
        if !entries.isEmpty {
            guard entries.contains(lockFileName), try folder.entryType(lockFileName) == S_IFREG else {
                throw WriterError.stagingNotOurs(
                    path: stagingPath, problem: "it holds files and no \(lockFileName), so Smelt did not stage it")
            }
        }
        let lock = try refusingLinks(stagingPath, "its \(lockFileName) is a symbolic link") { () throws(SystemError) in
            try folder.openFile(lockFileName, flags: O_RDWR | O_CREAT)
        }
        guard try lock.tryLockExclusive() else { throw WriterError.stagingLocked(path: stagingPath) }
        return StagingFolder(
            path: stagingPath, outputPath: outputPath, parent: parent, folder: folder, lock: lock, name: name)
    }

    /// `body`'s result; a symbolic link or non-folder met by its O_NOFOLLOW
    /// open becomes the refusal `problem` of the staging folder at `path`.
    private static func refusingLinks<Value>(
        _ path: String, _ problem: String, _ body: () throws(SystemError) -> Value
    ) throws -> Value {
        switch Result(catching: body) {
        case .success(let value): return value
        case .failure(let error) where error.errno == ELOOP || error.errno == ENOTDIR:
            throw WriterError.stagingNotOurs(path: path, problem: problem)
        case .failure(let error): throw error
        }
    }

    private init(path: String, outputPath: String, parent: Directory, folder: Directory, lock: OpenFile, name: String) {
        self.path = path
        self.outputPath = outputPath
        self.parent = parent
        self.folder = folder
        self.lock = lock
        self.name = name
        outputName = outputPath.lastPathComponent
        workPath = folder.anchoredPath
    }

    /// Names in the staging folder, sorted.
    public func contents() throws -> [String] { try folder.contents() }

    /// Removes entry `name` of the staging folder (a folder with its
    /// contents; a link itself, never its target).
    public func remove(_ name: String) throws { try folder.removeTree(name) }

    /// What is at the output path, without following a link; nil if nothing.
    public func outputEntryType() throws -> mode_t? { try parent.entryType(outputName) }

    /// Hidden files in the staging folder are the run's own bookkeeping
    /// (journal, files half written by a crash), never part of the output,
    /// so they go first; the lock goes last. Crash points let tests stop at every step.
    /// Then renames the staging folder to the output path inside the parent's
    /// descriptor and syncs the parent. With `replacingExisting`, an
    /// existing output folder is moved aside first and removed after; an
    /// output path that is a symbolic link is refused, not replaced.
    public func moveIntoPlace(replacingExisting: Bool) throws {
        FaultInjection.crashPoint("publish.before-cleanup")
        for entry in try folder.contents() where entry.hasPrefix(".") && entry != Self.lockFileName {
            try folder.removeTree(entry)
        }
        FaultInjection.crashPoint("publish.before-rename")
        if let type = try outputEntryType() {
            guard replacingExisting else { throw WriterError.outputExists(path: outputPath) }
            guard type == S_IFDIR else {
                throw WriterError.outputNotAFolder(path: outputPath, kind: FileStatus.kindName(of: type))
            }
            let aside = name + "-replaced"
            try parent.removeTree(aside)
            try parent.rename(outputName, to: aside)
            FaultInjection.crashPoint("publish.between-renames")
            try parent.rename(name, to: outputName)
            try parent.sync()
            try parent.removeTree(aside)
        } else {
            try parent.rename(name, to: outputName)
        }
        // The lock marks the folder as Smelt's until it is renamed; removed
        // through the folder's own descriptor, now the output's. A crash just
        // before leaves an empty hidden file, which verify ignores.
        try folder.removeTree(Self.lockFileName)
        FaultInjection.crashPoint("publish.after-rename")
        try parent.sync()
    }
}
