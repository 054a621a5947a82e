import TestSupport
import Base
import Checkpoint
import Testing

/// The streaming digest pass reads with pread; a file that shrinks under it
/// is an error naming the file, not a crash or a wrong digest.
@Suite struct RangeDigesterTests {
    @Test func fileThatShrankAfterOpeningIsAnErrorNamingIt() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let path = folder + "/model.safetensors"
        try TestFiles.write(TestFiles.read(TestFiles.fixture("models/llama-large-base/model.safetensors")), to: path)
        let file = try SafeTensorsFile(path: path)
        try OpenFile.forUpdating(path).truncate(to: file.header.dataStart + 100)
        do {
            _ = try file.computeDigests()
            Issue.record("hashed a file that had shrunk")
        } catch {
            #expect(error.path == path && error.description.contains("file ended early"))
        }
    }

    @Test func digestsAreTheSameForAnyThreadCountAndWindow() throws {
        let file = try SafeTensorsFile(path: TestFiles.fixture("models/llama-large-a/model.safetensors"))
        let ranges = file.header.tensors.map { file.fileRange(of: $0) }
        let reference = try RangeDigester.digests(of: file.file, ranges: ranges, threads: 1)
        for (threads, window) in [(2, 4096), (3, 1000), (8, 1 << 20)] {
            #expect(try RangeDigester.digests(of: file.file, ranges: ranges, threads: threads, windowBytes: window) == reference)
        }
        #expect(reference == ranges.map { range in file.mapping.withBytes(in: range) { XXH3.digest($0) } })
    }

    @Test func singlePassGivesTheSameDigestsAndTheFileSHA256() throws {
        // Zero-length tensors first, in the middle and last; windows that cut tensors anywhere.
        let json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
            + "\"b\":{\"dtype\":\"U8\",\"shape\":[37],\"data_offsets\":[0,37]},"
            + "\"c\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[37,37]},"
            + "\"d\":{\"dtype\":\"U8\",\"shape\":[100],\"data_offsets\":[37,137]},"
            + "\"e\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[137,137]}}"
        let bytes = TestSupport.safetensorsBytes(json: json, data: TestFiles.randomBytes(count: 137, seed: 3))
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try TestFiles.write(bytes, to: folder + "/m.safetensors")
        let file = try SafeTensorsFile(path: folder + "/m.safetensors")
        let ranges = file.header.tensors.map { file.fileRange(of: $0) }
        let expected = ranges.map { range in file.mapping.withBytes(in: range) { XXH3.digest($0) } }
        var sha = SHA256()
        bytes.withUnsafeBytes { sha.update($0) }
        let expectedSHA = sha.finalizeHex()
        for window in [1, 7, 64, 1 << 20] {
            let pass = try RangeDigester.sha256AndDigests(of: file.file, size: file.size, ranges: ranges, windowBytes: window)
            #expect(pass.digests == expected, "window \(window)")
            #expect(pass.sha256 == expectedSHA, "window \(window)")
        }
    }
}
