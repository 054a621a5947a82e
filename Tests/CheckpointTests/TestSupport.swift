import Checkpoint
#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the Checkpoint tests: building safetensors bytes by
/// hand, temporary folders, and the path of the committed fixtures.
enum TestSupport {
    /// The repository root, found from this file's path.
    static let repositoryRoot: String = String(#filePath).deletingLastPathComponent.deletingLastPathComponent.deletingLastPathComponent

    static func fixture(_ relative: String) -> String { repositoryRoot + "/Fixtures/" + relative }

    /// A safetensors file: the u64 little-endian length of `json`, `json`,
    /// then `data` (or `dataCount` bytes of a counting pattern).
    static func safetensorsBytes(json: String, data: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 8)
        let length = UInt64(json.utf8.count)
        for index in 0..<8 { bytes[index] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(index))) }
        return bytes + Array(json.utf8) + data
    }

    static func safetensorsBytes(json: String, dataCount: Int) -> [UInt8] {
        safetensorsBytes(json: json, data: (0..<dataCount).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
    }

    /// A fresh empty folder under /tmp, removed by the caller with `remove`.
    static func temporaryFolder() throws -> String {
        var template = Array("/tmp/smelt-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError(call: "mkdtemp", path: "/tmp", errno: errno) }
        return String(cString: made)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try FileSystem.writeFileAtomically(path, bytes: bytes)
    }

    static func read(_ path: String) throws -> [UInt8] {
        try FileSystem.readSmallFile(path, limit: 1 << 30)
    }

    /// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
    static func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
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
    static func patch(_ path: String, at offset: UInt64, with bytes: [UInt8]) throws {
        let file = try OpenFile.forUpdating(path)
        try bytes.withUnsafeBytes { try file.write($0, at: offset) }
    }

    /// Parses `bytes` as a whole safetensors file.
    static func parse(_ bytes: [UInt8], file: String = "t.safetensors") throws(CheckpointError) -> SafeTensorsHeader {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(CheckpointError) in try SafeTensorsHeader.parse(file: file, fileBytes: raw) }
        }
        return try result.get()
    }
}
