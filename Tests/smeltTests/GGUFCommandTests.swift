import Base
import Foundation
import Testing

/// `smelt inspect` and `smelt hash` on GGUF files written by gguf-py's
/// GGUFWriter (Fixtures/gguf/files), and on a broken one.
@Suite struct GGUFCommandTests {
    static let allTypes = CommandRunner.fixture("gguf/files/all-types.gguf")

    @Test func inspectListsMetadataAndTensors() throws {
        let result = try CommandRunner.run(["inspect", Self.allTypes])
        #expect(result.status == 0, "\(result.standardError)")
        let text = result.standardOutput
        #expect(text.contains("GGUF v3"))
        let lines = text.split(separator: "\n").map(String.init)
        for line in [
            "  test.uint64 = 9223372036854775813", "  test.string = \"héllo ✓ 😀\"", "  test.strings = [\"a\", \"\", \"ü\"]",
            "  test.true = true",
        ] {
            #expect(lines.contains(line), "missing: \(line)")
        }
        // One row per tensor: name, ggml type, row-major shape.
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("tensor.q4_k") && $0.contains("Q4_K") && $0.contains("[2, 512]") })
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("tensor.f16") && $0.contains("[2, 3, 4]") })
    }

    @Test func inspectJSONGivesTypesShapesAndOffsets() throws {
        let result = try CommandRunner.run(["inspect", Self.allTypes, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try CommandRunner.json(result.standardOutput)
        #expect(report["format"] as? String == "gguf")
        let tensors = try #require(report["tensors"] as? [[String: Any]])
        #expect(tensors.count == report["tensor_count"] as? Int)
        let q8 = try #require(tensors.first { $0["name"] as? String == "tensor.q8_0" })
        #expect(q8["type"] as? String == "Q8_0" && q8["shape"] as? [Int] == [2, 64] && q8["bytes"] as? Int == 2 * 2 * 34)
        let start = try #require(report["data_start"] as? Int)
        #expect(tensors.allSatisfy { ($0["offset"] as? Int ?? -1) >= start })
    }

    @Test func hashGivesTheXXH3OfEveryTensorsStoredBytes() throws {
        let result = try CommandRunner.run(["hash", Self.allTypes, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try CommandRunner.json(result.standardOutput)
        let digests = try #require(report["tensors"] as? [[String: Any]])
        let listing = try CommandRunner.json(try CommandRunner.run(["inspect", Self.allTypes, "--json"]).standardOutput)
        let tensors = try #require(listing["tensors"] as? [[String: Any]])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.allTypes)))
        #expect(digests.count == tensors.count && !tensors.isEmpty)
        for (digest, tensor) in zip(digests, tensors) {
            let offset = try #require(tensor["offset"] as? Int), count = try #require(tensor["bytes"] as? Int)
            let expected = bytes[offset..<offset + count].withUnsafeBytes { XXH3.hex(XXH3.digest($0)) }
            #expect(digest["name"] as? String == tensor["name"] as? String)
            #expect(digest["xxh3"] as? String == expected, "\(tensor["name"] ?? "")")
        }
        let start = try #require(listing["data_start"] as? Int)
        #expect(report["header_xxh3"] as? String == bytes[0..<start].withUnsafeBytes { XXH3.hex(XXH3.digest($0)) })
    }

    @Test func aBrokenGGUFIsRefusedWithItsOffset() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.allTypes)))
        bytes.removeLast(bytes.count / 2)  // cut inside the data section
        let path = folder + "/cut.gguf"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        for command in ["inspect", "hash"] {
            let result = try CommandRunner.run([command, path])
            #expect(result.status == 65, "\(command): \(result.standardError)")
            #expect(result.standardError.contains("cut.gguf") && result.standardError.contains("byte"))
        }
    }
}
