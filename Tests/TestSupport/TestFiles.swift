import Base
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

    /// A fresh empty folder under /tmp, removed by the caller.
    public static func temporaryFolder() throws -> String {
        var template = Array("/tmp/smelt-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError(call: "mkdtemp", path: "/tmp", errno: errno) }
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
