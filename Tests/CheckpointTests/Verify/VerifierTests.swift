import TestSupport
import Base
import Checkpoint
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `smelt verify` must pass an untouched checkpoint and name what is wrong
/// with a damaged one: truncation, a flipped byte, an edited index, an
/// unpatched placeholder, files added to or missing from the manifest.
@Suite struct VerifierTests {
    /// A published three-shard checkpoint in a fresh folder.
    private func publishedCheckpoint() throws -> (folder: String, output: String) {
        let folder = try TestFiles.temporaryFolder()
        let tensors = (0..<6).map { index in
            (OutputTensor(name: "model.layers.\(index).weight", dtype: .bf16, shape: [4, 8]), TestFiles.randomBytes(count: 64, seed: UInt64(100 + index)))
        }
        try CheckpointWriterTests.writeCheckpoint(at: folder + "/out", tensors: tensors, shardSizeLimit: 128)
        return (folder, folder + "/out")
    }

    private func problems(_ path: String, inputs: Bool = false) throws -> [VerificationProblem] {
        try Verifier.verify(path: path, checkInputs: inputs).problems
    }

    @Test func untouchedCheckpointVerifiesClean() throws {
        let (folder, output) = try publishedCheckpoint()
        defer { try? FileSystem.removeTree(folder) }
        let report = try Verifier.verify(path: output)
        #expect(report.isClean && report.manifestChecked)
        #expect(report.tensorsVerified == 6 && report.tensorsWithoutDigest == 0)
    }

    @Test func headerDigestsAloneCountAsStoredDigests() throws {
        let (folder, output) = try publishedCheckpoint()
        defer { try? FileSystem.removeTree(folder) }
        #expect(try Verifier.verify(path: output).hasStoredDigests)
        try FileSystem.removeFile(output + "/" + Manifest.fileName)
        let report = try Verifier.verify(path: output)
        #expect(!report.manifestChecked && report.hasStoredDigests && report.tensorsVerified == 6)
    }

    @Test func truncatedShardIsReported() throws {
        let (folder, output) = try publishedCheckpoint()
        defer { try? FileSystem.removeTree(folder) }
        let shard = output + "/model-00002-of-00003.safetensors"
        let size = try #require(try FileSystem.status(shard)).size
        try OpenFile.forUpdating(shard).truncate(to: size - 3)
        let found = try problems(output)
        #expect(found.contains { $0.file == shard && $0.problem.contains("truncated") })
        #expect(found.contains { $0.file == shard && $0.problem.contains("size is \(size - 3) bytes, the manifest says \(size)") })
    }

    @Test func flippedDataByteNamesTheTensor() throws {
        let (folder, output) = try publishedCheckpoint()
        defer { try? FileSystem.removeTree(folder) }
        let shard = output + "/model-00001-of-00003.safetensors"
        let file = try SafeTensorsFile(path: shard)
        let victim = file.header.tensors[1]
        let offset = file.fileRange(of: victim).lowerBound + 5
        let original = file.mapping.withBytes(in: offset..<(offset + 1)) { $0[0] }
        try TestFiles.patch(shard, at: offset, with: [original ^ 0x10])
        let found = try problems(output)
        #expect(found.contains { $0.file == shard && $0.tensor == victim.name && $0.problem.contains("does not match its digest") })
        #expect(found.contains { $0.tensor == victim.name && $0.problem.contains("the manifest says") })
        #expect(found.allSatisfy { $0.tensor == nil || $0.tensor == victim.name }, "only the damaged tensor is named")
    }

    @Test func editedIndexIsReported() throws {
        let (folder, output) = try publishedCheckpoint()
        defer { try? FileSystem.removeTree(folder) }
        let indexPath = output + "/" + CheckpointIndex.fileName
        let text = String(decoding: try TestFiles.read(indexPath), as: UTF8.self)
        // Point the first tensor at the wrong shard.
        let edited = text.replacingOccurrences(
            "\"model.layers.0.weight\": \"model-00001-of-00003.safetensors\"", "\"model.layers.0.weight\": \"model-00002-of-00003.safetensors\"")
        #expect(edited != text)
        try TestFiles.write(Array(edited.utf8), to: indexPath)
        let found = try problems(output)
        #expect(found.contains { $0.file == indexPath && $0.tensor == "model.layers.0.weight" })
        #expect(found.contains { $0.file == indexPath && $0.problem.contains("content digest") })
    }

    @Test func unpatchedPlaceholderReadsAsUnfinished() throws {
        let (folder, output) = try publishedCheckpoint()
        defer { try? FileSystem.removeTree(folder) }
        let shard = output + "/model-00003-of-00003.safetensors"
        let file = try SafeTensorsFile(path: shard)
        let json = file.mapping.withBytes(in: 0..<file.header.dataStart) { Array($0) }
        let key = Array("\"xxh3:\(file.header.tensors[0].name)\":\"".utf8)
        let start = try #require((0..<json.count).first { json[$0...].starts(with: key) }) + key.count
        try TestFiles.patch(shard, at: UInt64(start), with: Array(digestPlaceholder.utf8))
        let found = try problems(output)
        #expect(found.contains { $0.file == shard && $0.tensor == file.header.tensors[0].name && $0.problem.contains("never patched") })
    }

    @Test func filesAddedOrRemovedAgainstTheManifestAreReported() throws {
        let (folder, output) = try publishedCheckpoint()
        defer { try? FileSystem.removeTree(folder) }
        try TestFiles.write([1, 2, 3], to: output + "/stray.bin")
        try FileSystem.removeFile(output + "/config.json")
        let found = try problems(output)
        #expect(found.contains { $0.file == output + "/stray.bin" && $0.problem == "not listed in the manifest" })
        #expect(found.contains { $0.file == output + "/config.json" && $0.problem == "listed in the manifest but missing" })
    }

    @Test func damagedManifestIsAProblemNotACrash() throws {
        let (folder, output) = try publishedCheckpoint()
        defer { try? FileSystem.removeTree(folder) }
        try TestFiles.write(Array("{\"smelt_version\":\"0.1.0\",\"inputs\":[],\"files\":[{\"name\":1}]}".utf8), to: output + "/" + Manifest.fileName)
        let found = try problems(output)
        #expect(found.count == 1 && found[0].problem.contains("\"name\" must be a string"))
    }

    /// `--inputs`: the merge inputs the manifest names are re-checked by size
    /// and header digest; missing ones are counted, not failed.
    @Test func inputsAreRecheckedAgainstTheManifest() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        func model(_ name: String) -> [UInt8] {
            TestSupport.safetensorsBytes(json: "{\"\(name)\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", dataCount: 8)
        }
        let kept = folder + "/kept.safetensors", gone = folder + "/gone.safetensors"
        try TestFiles.write(model("a"), to: kept)
        try TestFiles.write(model("a"), to: gone)
        let headerBytes = Int(try SafeTensorsFile(path: kept).header.dataStart)
        func headerDigest(_ name: String) -> UInt64 { XXH3.digest(Array(model(name)[0..<headerBytes])) }
        let size = UInt64(model("a").count)
        let inputs = [kept, gone].map {
            Manifest.Input(pathAsWritten: $0, resolvedPath: $0, size: size, modificationTime: "0", headerDigest: headerDigest("a"))
        }
        try CheckpointWriterTests.writeCheckpoint(at: folder + "/out", tensors: [(OutputTensor(name: "t", dtype: .u8, shape: [1]), [7])],
                                                  manifest: Manifest(version: "test", recipe: "merge_method: linear\n", planDigest: 1, inputs: inputs))
        try FileSystem.removeFile(gone)
        let clean = try Verifier.verify(path: folder + "/out", checkInputs: true)
        #expect(clean.isClean && clean.inputsChecked == 1 && clean.inputsMissing == 1)
        #expect(try Verifier.verify(path: folder + "/out").inputsChecked == 0, "inputs are checked only when asked")

        try TestFiles.write(model("b"), to: kept)   // same size, another header
        #expect(try problems(folder + "/out", inputs: true).map(\.problem) == [
            "input header digest is \(XXH3.hex(headerDigest("b"))) now, \(XXH3.hex(headerDigest("a"))) when the output was made",
        ])
        try TestFiles.write(model("a") + [0], to: kept)
        #expect(try problems(folder + "/out", inputs: true).map(\.problem) == ["input is \(size + 1) bytes now, \(size) when the output was made"])
    }

    @Test func hubLinkToAMissingBlobIsNamed() throws {
        let root = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(root) }
        let snapshot = root + "/models--org--gone/snapshots/r1"
        for sub in ["/models--org--gone", "/models--org--gone/blobs", "/models--org--gone/snapshots", "/models--org--gone/snapshots/r1"] {
            try FileSystem.createDirectory(root + sub)
        }
        let blob = String(repeating: "ab", count: 32)
        #expect(symlink("../../blobs/" + blob, snapshot + "/model.safetensors") == 0)
        let found = try problems(snapshot)
        #expect(found.contains { $0.file == snapshot + "/model.safetensors" && $0.problem == "links to blob \(blob), which is missing" })
    }

    @Test func missingPathThrows() {
        #expect(throws: SystemError.self) { try Verifier.verify(path: "/nonexistent/smelt/model") }
    }

    @Test func fixtureWithoutDigestsIsCleanButCountsUncheckedTensors() throws {
        let report = try Verifier.verify(path: TestFiles.fixture("models/llama-sharded"))
        #expect(report.isClean && !report.manifestChecked && !report.hasStoredDigests)
        #expect(report.tensorsVerified == 0 && report.tensorsWithoutDigest == 21)
    }

    /// A Hugging Face cache: models--org--name/{blobs,snapshots/REV,refs}.
    @Test func hubCacheFilesAreCheckedAgainstTheirSHA256BlobNames() throws {
        let root = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(root) }
        let repository = root + "/models--org--tiny"
        for sub in ["", "/blobs", "/snapshots", "/snapshots/abc123", "/refs"] { try FileSystem.createDirectory(repository + sub) }
        let weights = try TestFiles.read(TestFiles.fixture("models/llama-f32-base/model.safetensors"))
        var hasher = SHA256()
        weights.withUnsafeBytes { hasher.update($0) }
        let blob = hasher.finalizeHex()
        try TestFiles.write(weights, to: repository + "/blobs/" + blob)
        try TestFiles.write(Array("{}".utf8), to: repository + "/blobs/0123456789abcdef0123456789abcdef01234567")
        let snapshot = repository + "/snapshots/abc123"
        #expect(symlink("../../blobs/" + blob, snapshot + "/model.safetensors") == 0)
        #expect(symlink("../../blobs/0123456789abcdef0123456789abcdef01234567", snapshot + "/config.json") == 0)
        let clean = try Verifier.verify(path: snapshot)
        #expect(clean.isClean && clean.hubFilesChecked == 1 && clean.hubFilesNotCheckable == 1)

        // Same size, one bit different inside a tensor: only the SHA-256 can tell.
        let file = try SafeTensorsFile(path: snapshot + "/model.safetensors")
        let offset = Int(file.fileRange(of: file.header.tensors[3]).lowerBound) + 2
        var damaged = weights
        damaged[offset] ^= 1
        try TestFiles.write(damaged, to: repository + "/blobs/" + blob)
        let found = try problems(snapshot)
        #expect(found.count == 1 && found[0].file == snapshot + "/model.safetensors" && found[0].problem.contains("blob \(blob)"))
    }

    @Test func shardedHubSnapshotIsHashedOnceAndCorruptionNamed() throws {
        let root = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(root) }
        let repository = root + "/models--org--sharded"
        for sub in ["", "/blobs", "/snapshots", "/snapshots/r1"] { try FileSystem.createDirectory(repository + sub) }
        let source = TestFiles.fixture("models/llama-sharded")
        var blobs: [String: String] = [:]
        for name in try FileSystem.contents(ofDirectory: source) {
            let bytes = try TestFiles.read(source + "/" + name)
            var hasher = SHA256()
            bytes.withUnsafeBytes { hasher.update($0) }
            let blob = hasher.finalizeHex()
            try TestFiles.write(bytes, to: repository + "/blobs/" + blob)
            #expect(symlink("../../blobs/" + blob, repository + "/snapshots/r1/" + name) == 0)
            blobs[name] = blob
        }
        let snapshot = repository + "/snapshots/r1"
        let clean = try Verifier.verify(path: snapshot)
        #expect(clean.isClean && clean.hubFilesChecked == blobs.count)
        let plain = try Verifier.verify(path: source)
        #expect(clean.files.map { $0.tensors.map(\.digest) } == plain.files.map { $0.tensors.map(\.digest) })
        #expect(clean.files.map(\.header) == plain.files.map(\.header))

        let shard = "model-00002-of-00003.safetensors"
        let blobPath = repository + "/blobs/" + (blobs[shard] ?? "")
        var damaged = try TestFiles.read(blobPath)
        damaged[damaged.count - 1] ^= 0x80
        try TestFiles.write(damaged, to: blobPath)
        let found = try problems(snapshot)
        #expect(found.count == 1 && found[0].file == snapshot + "/" + shard && found[0].problem.contains("download is corrupt"))
    }
}
