import Base
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File helpers every test target shares: temporary folders, whole-file
/// reads and writes, patches, and reproducible random bytes.
public enum TestFiles {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: String = String(#filePath).deletingLastPathComponent.deletingLastPathComponent
        .deletingLastPathComponent

    /// A committed fixture, by its path under `Fixtures/`.
    public static func fixture(_ relative: String) -> String { repositoryRoot + "/Fixtures/" + relative }

    /// A fresh empty folder inside this test process's own root under /tmp.
    /// Callers may remove it early; whatever they leave (a failed
    /// expectation, a converted model) goes with the root when the process
    /// exits, and a root left by a killed run goes at the next run's start.
    public static func temporaryFolder() throws -> String {
        let root = try TemporaryRoot.path.get()
        var template = Array((root + "/XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError(call: "mkdtemp", path: root, errno: errno) }
        return String(cString: made)
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try FileSystem.writeFileAtomically(path, bytes: bytes)
    }

    public static func read(_ path: String) throws -> [UInt8] {
        try FileSystem.readSmallFile(path, limit: 1 << 30)
    }

    /// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
    public static func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        while bytes.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            for shift in stride(from: 0, to: 64, by: 8) where bytes.count < count {
                bytes.append(UInt8(truncatingIfNeeded: mixed >> UInt64(shift)))
            }
        }
        return bytes
    }

    /// Overwrites `bytes` at `offset` in an existing file.
    public static func patch(_ path: String, at offset: UInt64, with bytes: [UInt8]) throws {
        let file = try OpenFile.forUpdating(path)
        try bytes.withUnsafeBytes { try file.write($0, at: offset) }
    }
}

/// One folder per test process, `/tmp/smelt-tests-PID-XXXXXX`, holding
/// every temporary folder the process makes. Tests leaked gigabytes of
/// converted models into /tmp until a CI host ran out of disk; the root is
/// now removed at exit, and roots of processes no longer running (killed,
/// crashed) are removed when the next one starts.
private enum TemporaryRoot {
    static let prefix = "smelt-tests-"

    static let path: Result<String, SystemError> = {
        removeRootsOfFinishedProcesses()
        var template = Array("/tmp/\(prefix)\(getpid())-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            return .failure(SystemError(call: "mkdtemp", path: "/tmp", errno: errno))
        }
        atexit {
            if case .success(let root) = TemporaryRoot.path { try? FileManager.default.removeItem(atPath: root) }
        }
        return .success(String(cString: made))
    }()

    private static func removeRootsOfFinishedProcesses() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/tmp") else { return }
        for name in names where name.hasPrefix(prefix) {
            let fields = name.dropFirst(prefix.count).split(separator: "-")
            guard let field = fields.first, let pid = pid_t(field), pid > 0 else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH { try? FileManager.default.removeItem(atPath: "/tmp/" + name) }
        }
    }
}
