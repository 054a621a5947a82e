import Checkpoint
import Testing

/// The streaming digest pass reads with pread; a file that shrinks under it
/// is an error naming the file, not a crash or a wrong digest.
@Suite struct RangeDigesterTests {
    @Test func fileThatShrankAfterOpeningIsAnErrorNamingIt() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let path = folder + "/model.safetensors"
        try TestSupport.write(TestSupport.read(TestSupport.fixture("models/llama-large-base/model.safetensors")), to: path)
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
        let file = try SafeTensorsFile(path: TestSupport.fixture("models/llama-large-a/model.safetensors"))
        let ranges = file.header.tensors.map { file.fileRange(of: $0) }
        let reference = try RangeDigester.digests(of: file.file, ranges: ranges, threads: 1)
        for (threads, window) in [(2, 4096), (3, 1000), (8, 1 << 20)] {
            #expect(try RangeDigester.digests(of: file.file, ranges: ranges, threads: threads, windowBytes: window) == reference)
        }
        #expect(reference == ranges.map { range in file.mapping.withBytes(in: range) { XXH3.digest($0) } })
    }
}
