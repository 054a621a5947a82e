import Base
import Checkpoint
#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the Checkpoint tests: building safetensors bytes by
/// hand, temporary folders, and the path of the committed fixtures.
enum TestSupport {
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

    /// Parses `bytes` as a whole safetensors file.
    static func parse(_ bytes: [UInt8], file: String = "t.safetensors") throws(CheckpointError) -> SafeTensorsHeader {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(CheckpointError) in try SafeTensorsHeader.parse(file: file, fileBytes: raw) }
        }
        return try result.get()
    }
}
