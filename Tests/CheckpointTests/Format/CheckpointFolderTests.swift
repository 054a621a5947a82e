import TestSupport
import Base
import Checkpoint
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Which files make a model folder, and the rules of the shard index.
@Suite struct CheckpointFolderTests {
    private func shard(_ names: [String]) -> [UInt8] {
        var offset = 0
        let entries = names.map { name -> String in
            defer { offset += 4 }
            return "\"\(name)\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\(offset),\(offset + 4)]}"
        }
        return TestSupport.safetensorsBytes(json: "{" + entries.joined(separator: ",") + "}", dataCount: 4 * names.count)
    }

    private func index(_ map: [(String, String)], totalSize: String? = nil) -> [UInt8] {
        let entries = map.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",")
        let metadata = totalSize.map { "\"metadata\":{\"total_size\":\($0)}," } ?? ""
        return Array("{\(metadata)\"weight_map\":{\(entries)}}".utf8)
    }

    /// A folder with two shards (a, b in one; c in the other) and `indexBytes`.
    private func shardedFolder(indexBytes: [UInt8]) throws -> String {
        let folder = try TestFiles.temporaryFolder()
        try TestFiles.write(shard(["a", "b"]), to: folder + "/model-00001-of-00002.safetensors")
        try TestFiles.write(shard(["c"]), to: folder + "/model-00002-of-00002.safetensors")
        try TestFiles.write(indexBytes, to: folder + "/" + CheckpointIndex.fileName)
        return folder
    }

    private let goodMap = [("a", "model-00001-of-00002.safetensors"), ("b", "model-00001-of-00002.safetensors"), ("c", "model-00002-of-00002.safetensors")]

    @Test func opensShardedFolderThroughItsIndex() throws {
        let folder = try shardedFolder(indexBytes: index(goodMap, totalSize: "12"))
        defer { try? FileSystem.removeTree(folder) }
        let checkpoint = try Checkpoint(path: folder)
        #expect(checkpoint.files.count == 2)
        #expect(checkpoint.tensors.map(\.tensor.name) == ["a", "b", "c"])
        #expect(checkpoint.tensorByteCount == 12)
    }

    @Test func acceptsTotalSizeWrittenAsWholeFloat() throws {
        let folder = try shardedFolder(indexBytes: index(goodMap, totalSize: "12.0"))
        defer { try? FileSystem.removeTree(folder) }
        #expect(try Checkpoint(path: folder).index?.totalSize == 12)
    }

    @Test func acceptsSymlinkedShards() throws {
        // The Hugging Face cache links every file to a blob.
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try FileSystem.createDirectory(folder + "/blobs")
        try FileSystem.createDirectory(folder + "/snapshot")
        try TestFiles.write(shard(["a", "b"]), to: folder + "/blobs/one")
        try TestFiles.write(shard(["c"]), to: folder + "/blobs/two")
        try TestFiles.write(index(goodMap), to: folder + "/snapshot/" + CheckpointIndex.fileName)
        #expect(symlink("../blobs/one", folder + "/snapshot/model-00001-of-00002.safetensors") == 0)
        #expect(symlink("../blobs/two", folder + "/snapshot/model-00002-of-00002.safetensors") == 0)
        #expect(try Checkpoint(path: folder + "/snapshot").tensors.count == 3)
    }

    struct IndexCase: CustomTestStringConvertible, Sendable {
        let rule: String
        let map: [(String, String)]
        let totalSize: String?
        let expected: CheckpointError?   // nil: match by `expectedText`
        let expectedText: String
        var testDescription: String { rule }
    }

    static let indexCases: [IndexCase] = [
        IndexCase(rule: "shard name with a slash", map: [("a", "sub/model.safetensors")], totalSize: nil,
                  expected: nil, expectedText: "not a plain file name"),
        IndexCase(rule: "shard name '..'", map: [("a", "..")], totalSize: nil, expected: nil, expectedText: "not a plain file name"),
        // Found by the index fuzzer (tools/fuzz/regressions/index-*): a slash
        // followed by a combining mark or joiner is one Swift Character, not "/".
        IndexCase(rule: "slash hidden by a combining mark", map: [("t", "../\u{0301}x.safetensors")], totalSize: nil,
                  expected: nil, expectedText: "not a plain file name"),
        IndexCase(rule: "slash hidden by a zero-width joiner", map: [("t", "sub/\u{200D}x.safetensors")], totalSize: nil,
                  expected: nil, expectedText: "not a plain file name"),
        IndexCase(rule: "slash hidden by a combining mark, as the fuzzer found it", map: [("a", "`ee8/\u{0301}461s")], totalSize: nil,
                  expected: nil, expectedText: "not a plain file name"),
        IndexCase(rule: "absolute shard path", map: [("a", "/etc/passwd")], totalSize: nil, expected: nil, expectedText: "not a plain file name"),
        IndexCase(rule: "tensor named in the index but not in its shard",
                  map: [("a", "model-00001-of-00002.safetensors"), ("b", "model-00002-of-00002.safetensors"), ("c", "model-00002-of-00002.safetensors")],
                  totalSize: nil, expected: nil, expectedText: "tensor \"b\": weight_map says the tensor is in model-00002-of-00002.safetensors"),
        IndexCase(rule: "tensor stored but not named in the index",
                  map: [("a", "model-00001-of-00002.safetensors"), ("c", "model-00002-of-00002.safetensors")],
                  totalSize: nil, expected: nil, expectedText: "tensor \"b\": tensor is stored in model-00001-of-00002.safetensors but weight_map does not name it"),
        IndexCase(rule: "total_size that does not add up",
                  map: [("a", "model-00001-of-00002.safetensors"), ("b", "model-00001-of-00002.safetensors"), ("c", "model-00002-of-00002.safetensors")],
                  totalSize: "13", expected: nil, expectedText: "metadata.total_size is 13 but the tensors take 12 bytes"),
        IndexCase(rule: "total_size that is negative",
                  map: [("a", "model-00001-of-00002.safetensors")], totalSize: "-1", expected: nil, expectedText: "total_size must be an unsigned integer"),
    ]

    @Test(arguments: indexCases)
    func rejectsBadIndex(_ testCase: IndexCase) throws {
        let folder = try shardedFolder(indexBytes: index(testCase.map, totalSize: testCase.totalSize))
        defer { try? FileSystem.removeTree(folder) }
        do {
            _ = try Checkpoint(path: folder)
            Issue.record("accepted an index with \(testCase.rule)")
        } catch let error as CheckpointError {
            #expect(error.file.hasSuffix(CheckpointIndex.fileName))
            #expect(error.description.contains(testCase.expectedText), "got: \(error)")
        }
    }

    @Test func shardWhoseNameStartsWithACombiningMarkIsFound() throws {
        // Path splitting must work on bytes, or this legal name loses its first character.
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let name = "\u{0301}x.safetensors"
        try TestFiles.write(shard(["a"]), to: folder + "/" + name)
        try TestFiles.write(index([("a", name)]), to: folder + "/" + CheckpointIndex.fileName)
        #expect(try Checkpoint(path: folder).files.map { $0.path.lastPathComponent } == [name])
        #expect((folder + "/" + name).lastPathComponent.utf8.elementsEqual(name.utf8))
        #expect((folder + "/" + name).deletingLastPathComponent == folder)
    }

    @Test func rejectsIndexWithoutWeightMap() throws {
        let folder = try shardedFolder(indexBytes: Array("{\"metadata\":{}}".utf8))
        defer { try? FileSystem.removeTree(folder) }
        #expect(throws: CheckpointError.malformedIndex(file: folder + "/" + CheckpointIndex.fileName, message: "index has no \"weight_map\"")) {
            try Checkpoint(path: folder)
        }
    }

    @Test func rejectsIndexWithEmptyWeightMap() throws {
        let folder = try shardedFolder(indexBytes: Array("{\"weight_map\":{}}".utf8))
        defer { try? FileSystem.removeTree(folder) }
        #expect(throws: CheckpointError.malformedIndex(file: folder + "/" + CheckpointIndex.fileName, message: "\"weight_map\" names no tensors")) {
            try Checkpoint(path: folder)
        }
    }

    @Test func rejectsShardThatIsAFolder() throws {
        let folder = try shardedFolder(indexBytes: index(goodMap))
        defer { try? FileSystem.removeTree(folder) }
        try FileSystem.removeFile(folder + "/model-00002-of-00002.safetensors")
        try FileSystem.createDirectory(folder + "/model-00002-of-00002.safetensors")
        let shard = folder + "/model-00002-of-00002.safetensors"
        #expect(throws: SystemError(path: shard, refusal: .notARegularFile(kind: "a folder"))) {
            try Checkpoint(path: folder)
        }
    }

    @Test func rejectsSameTensorInTwoShards() throws {
        let folder = try shardedFolder(indexBytes: index(goodMap))
        defer { try? FileSystem.removeTree(folder) }
        try TestFiles.write(shard(["c", "a"]), to: folder + "/model-00002-of-00002.safetensors")
        #expect(throws: CheckpointError.duplicateTensor(file: folder + "/model-00002-of-00002.safetensors", tensor: "a", otherFile: "model-00001-of-00002.safetensors")) {
            try Checkpoint(path: folder)
        }
    }

    @Test func reportsShardTheIndexNamesButIsMissing() throws {
        let folder = try shardedFolder(indexBytes: index(goodMap))
        defer { try? FileSystem.removeTree(folder) }
        try FileSystem.removeFile(folder + "/model-00002-of-00002.safetensors")
        do {
            _ = try Checkpoint(path: folder)
            Issue.record("opened a checkpoint with a missing shard")
        } catch let error as SystemError {
            #expect(error.isMissingPath && error.path.hasSuffix("model-00002-of-00002.safetensors"))
        }
    }

    @Test func listsWhatItFoundWhenNoWeightsFileIsThere() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try TestFiles.write(shard(["a"]), to: folder + "/one.safetensors")
        try TestFiles.write(shard(["b"]), to: folder + "/two.safetensors")
        try TestFiles.write(Array("{}".utf8), to: folder + "/config.json")
        #expect(throws: CheckpointError.noWeights(folder: folder, found: ["config.json", "one.safetensors", "two.safetensors"])) {
            try Checkpoint(path: folder)
        }
    }

    @Test func noWeightsMessageListsAtMostADozenEntries() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let names = (1...30).map { "pytorch_model-000\($0 < 10 ? "0" : "")\($0)-of-00030.bin" }
        for name in names { try TestFiles.write([], to: folder + "/" + name) }
        do {
            _ = try Checkpoint(path: folder)
            Issue.record("opened a folder without weights")
        } catch let error as CheckpointError {
            #expect(
                error.message
                    == "\(folder): no model.safetensors.index.json, model.safetensors or single *.safetensors file; "
                    + "found: \(names.prefix(12).joined(separator: ", ")), and 18 more")
            #expect(error == .noWeights(folder: folder, found: names), "callers still get every name")
        }
    }

    @Test func prefersModelSafetensorsAndAcceptsOneOtherFile() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try TestFiles.write(shard(["only"]), to: folder + "/weights.safetensors")
        #expect(try Checkpoint(path: folder).tensors.map(\.tensor.name) == ["only"])
        try TestFiles.write(shard(["main"]), to: folder + "/model.safetensors")
        #expect(try Checkpoint(path: folder).tensors.map(\.tensor.name) == ["main"])
    }

    @Test func opensEveryFixture() throws {
        for name in try FileSystem.contents(ofDirectory: TestFiles.fixture("models")) {
            let checkpoint = try Checkpoint(path: TestFiles.fixture("models/" + name))
            #expect(!checkpoint.tensors.isEmpty, "\(name)")
        }
    }
}
