import TestSupport
import Base
import Checkpoint
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The writer lays out everything up front, takes chunks in any order, and
/// publishes a checkpoint that reads back byte for byte.
@Suite struct CheckpointWriterTests {
    /// Writes `tensors` with the bytes given, each in chunks of `chunkBytes`
    /// sent last chunk first, and publishes.
    @discardableResult
    static func writeCheckpoint(
        at output: String, tensors: [(OutputTensor, [UInt8])], shardSizeLimit: UInt64 = 5_000_000_000, chunkBytes: Int = 5,
        manifest: Manifest = Manifest(version: "test")
    ) throws -> Manifest {
        let writer = try CheckpointWriter(outputPath: output, tensors: tensors.map(\.0), shardSizeLimit: shardSizeLimit)
        for (tensor, bytes) in tensors.reversed() {
            let starts = Array(stride(from: 0, to: bytes.count, by: chunkBytes)).reversed()
            for start in starts {
                let end = min(bytes.count, start + chunkBytes)
                try bytes.withUnsafeBytes { try writer.write(tensor: tensor.name, offset: UInt64(start), bytes: UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
            }
        }
        try writer.addFile(named: "config.json", bytes: Array("{\"model_type\":\"llama\"}\n".utf8))
        return try writer.publish(manifest: manifest)
    }

    static func sampleTensors() -> [(OutputTensor, [UInt8])] {
        DType.allCases.enumerated().map { index, dtype in
            // Shapes chosen so 4- and 6-bit types fill whole bytes; one scalar, one empty.
            let shape: [UInt64] = index == 0 ? [] : index == 1 ? [0, 3] : [2, 4]
            let count = Int(dtype.byteCount(shape: shape) ?? 0)
            return (OutputTensor(name: "tensor.\(dtype.rawValue)", dtype: dtype, shape: shape), TestFiles.randomBytes(count: count, seed: UInt64(index)))
        }
    }

    @Test func roundTripsEveryDType() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let output = folder + "/out"
        let tensors = Self.sampleTensors()
        try Self.writeCheckpoint(at: output, tensors: tensors)
        let checkpoint = try Checkpoint(path: output)
        #expect(checkpoint.files.map { $0.path.lastPathComponent } == ["model.safetensors"])
        #expect(checkpoint.files[0].header.metadataValue("format") == "pt")
        for (expected, bytes) in tensors {
            guard let file = checkpoint.files.first, let tensor = file.tensor(named: expected.name) else {
                Issue.record("\(expected.name) missing")
                continue
            }
            #expect(tensor.dtype == expected.dtype && tensor.shape == expected.shape)
            #expect(file.mapping.withBytes(in: file.fileRange(of: tensor)) { Array($0) } == bytes, "\(expected.name)")
            #expect(file.header.metadataValue("xxh3:" + expected.name) == XXH3.hex(XXH3.digest(bytes)))
        }
        #expect(try Verifier.verify(path: output).isClean)
    }

    @Test func headersArePaddedToEightBytesWithMetadataFirst() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try Self.writeCheckpoint(at: folder + "/out", tensors: Self.sampleTensors())
        let file = try SafeTensorsFile(path: folder + "/out/model.safetensors")
        #expect(file.header.dataStart % 8 == 0)
        let json = file.mapping.withBytes(in: 8..<file.header.dataStart) { String(decoding: $0, as: UTF8.self) }
        #expect(json.hasPrefix("{\"__metadata__\":{\"format\":\"pt\",\"xxh3:tensor.BOOL\":\""))
        // Tensors follow in offset order.
        let positions = file.header.tensors.compactMap { tensor in json.firstRange(of: "\"\(tensor.name)\":{")?.lowerBound }
        #expect(positions == positions.sorted() && positions.count == file.header.tensors.count)
    }

    @Test func splitsIntoShardsWithAnIndex() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let tensors = (0..<5).map { index in
            (OutputTensor(name: "layer.\(index)", dtype: .f32, shape: [index == 2 ? 40 : 10]), TestFiles.randomBytes(count: index == 2 ? 160 : 40, seed: UInt64(index)))
        }
        // 80-byte shards: two small tensors fit; the 160-byte one gets a shard of its own.
        let manifest = try Self.writeCheckpoint(at: folder + "/out", tensors: tensors, shardSizeLimit: 80, chunkBytes: 12)
        let checkpoint = try Checkpoint(path: folder + "/out")
        #expect(checkpoint.files.map { $0.path.lastPathComponent } == [
            "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors",
        ])
        #expect(checkpoint.files.map { $0.header.tensors.map(\.name) } == [["layer.0", "layer.1"], ["layer.2"], ["layer.3", "layer.4"]])
        #expect(checkpoint.index?.totalSize == 320)
        for ((file, tensor), (_, bytes)) in zip(checkpoint.tensors, tensors) {
            #expect(file.mapping.withBytes(in: file.fileRange(of: tensor)) { Array($0) } == bytes)
        }
        #expect(manifest.files.map(\.name) == ["config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                                               "model-00003-of-00003.safetensors", CheckpointIndex.fileName])
        #expect(try Verifier.verify(path: folder + "/out").isClean)
    }

    @Test func outputDoesNotExistUntilPublishAndStagingIsGoneAfter() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let output = folder + "/out"
        let tensor = OutputTensor(name: "t", dtype: .f32, shape: [2])
        let writer = try CheckpointWriter(outputPath: output, tensors: [tensor], shardSizeLimit: 1 << 30)
        #expect(try FileSystem.status(output) == nil)
        #expect(try FileSystem.status(CheckpointWriter.stagingPath(for: output))?.isDirectory == true)
        try [UInt8](repeating: 1, count: 8).withUnsafeBytes { try writer.write(tensor: "t", offset: 0, bytes: $0) }
        #expect(try FileSystem.status(output) == nil)
        try writer.publish(manifest: Manifest(version: "test"))
        #expect(try FileSystem.contents(ofDirectory: folder) == ["out"])
        #expect(try FileSystem.contents(ofDirectory: output) == ["model.safetensors", Manifest.fileName])
    }

    @Test func leftoversOfAnEarlierAttemptAreNotPublished() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let output = folder + "/out"
        let staging = CheckpointWriter.stagingPath(for: output)
        try FileSystem.createDirectory(staging)
        try TestFiles.write([], to: staging + "/.smelt-lock")
        try TestFiles.write([1, 2, 3], to: staging + "/model-00001-of-00002.safetensors")
        try TestFiles.write([4], to: staging + "/stale.json")
        try Self.writeCheckpoint(at: output, tensors: Self.sampleTensors())
        #expect(try FileSystem.contents(ofDirectory: output) == ["config.json", "model.safetensors", Manifest.fileName])
        #expect(try Verifier.verify(path: output).isClean)
    }

    /// What may stand at the staging folder's name that Smelt did not
    /// stage, made inside `folder` next to a `victim` folder holding a file.
    static let foreignStagingEntries: [(rule: String, make: @Sendable (_ staging: String, _ victim: String) throws -> Void)] = [
        ("a symbolic link to another folder", { staging, victim in
            guard symlink(victim, staging) == 0 else { throw SystemError(call: "symlink", path: staging, errno: errno) }
        }),
        ("a regular file", { staging, _ in try TestFiles.write([1], to: staging) }),
        ("a folder holding files but no lock", { staging, _ in
            try FileSystem.createDirectory(staging)
            try TestFiles.write([1], to: staging + "/keep.txt")
        }),
        ("a folder whose lock is a symbolic link", { staging, victim in
            try FileSystem.createDirectory(staging)
            guard symlink(victim + "/keep.txt", staging + "/.smelt-lock") == 0 else {
                throw SystemError(call: "symlink", path: staging, errno: errno)
            }
        }),
    ]

    @Test(arguments: foreignStagingEntries.map(\.rule))
    func refusesAStagingEntryItDidNotCreate(rule: String) throws {
        let entry = try #require(Self.foreignStagingEntries.first { $0.rule == rule })
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let victim = folder + "/victim"
        try FileSystem.createDirectory(victim)
        try TestFiles.write([7, 7], to: victim + "/keep.txt")
        let output = folder + "/out"
        try entry.make(CheckpointWriter.stagingPath(for: output), victim)
        do {
            _ = try CheckpointWriter(outputPath: output, tensors: Self.sampleTensors().map(\.0), shardSizeLimit: 1 << 30)
            Issue.record("used \(rule) as its staging folder")
        } catch let error as WriterError {
            guard case .stagingNotOurs(let path, _) = error else { throw error }
            #expect(path == CheckpointWriter.stagingPath(for: output))
            #expect(error.exitCode == .cannotCreateOutput)
        }
        #expect(try FileSystem.contents(ofDirectory: victim) == ["keep.txt"])
        #expect(try TestFiles.read(victim + "/keep.txt") == [7, 7])
        #expect(try FileSystem.status(output) == nil)
    }

    @Test func anEmptyStagingFolderIsTaken() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let output = folder + "/out"
        // A run killed between creating the folder and its lock leaves this.
        try FileSystem.createDirectory(CheckpointWriter.stagingPath(for: output))
        try Self.writeCheckpoint(at: output, tensors: Self.sampleTensors())
        #expect(try Verifier.verify(path: output).isClean)
    }

    @Test func refusesToReplaceAnExistingOutputUnlessAsked() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let output = folder + "/out"
        try FileSystem.createDirectory(output)
        try TestFiles.write([1], to: output + "/old-file")
        let tensor = OutputTensor(name: "t", dtype: .u8, shape: [1])
        let writer = try CheckpointWriter(outputPath: output, tensors: [tensor], shardSizeLimit: 1 << 30)
        try [UInt8(9)].withUnsafeBytes { try writer.write(tensor: "t", offset: 0, bytes: $0) }
        #expect(throws: WriterError.outputExists(path: output)) { try writer.publish(manifest: Manifest(version: "test")) }
        #expect(try TestFiles.read(output + "/old-file") == [1], "the existing output is untouched")
        try writer.publish(manifest: Manifest(version: "test"), replacingExisting: true)
        #expect(try FileSystem.contents(ofDirectory: output) == ["model.safetensors", Manifest.fileName])
        #expect(try FileSystem.contents(ofDirectory: folder) == ["out"])
    }

    @Test func refusesChunksOutsideTheirTensorAndUnknownNames() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let writer = try CheckpointWriter(outputPath: folder + "/out", tensors: [OutputTensor(name: "t", dtype: .f32, shape: [2])], shardSizeLimit: 1 << 30)
        let bytes = [UInt8](repeating: 0, count: 8)
        #expect(throws: WriterError.chunkOutOfRange(tensor: "t", offset: 4, count: 8, tensorBytes: 8)) {
            try bytes.withUnsafeBytes { try writer.write(tensor: "t", offset: 4, bytes: $0) }
        }
        #expect(throws: WriterError.unknownTensor(name: "u")) {
            try bytes.withUnsafeBytes { try writer.write(tensor: "u", offset: 0, bytes: $0) }
        }
        #expect(throws: WriterError.unsafeFileName(name: "../escape")) { try writer.addFile(named: "../escape", bytes: []) }
        // Hidden names are the writer's own (the lock, staging): never published.
        #expect(throws: WriterError.unsafeFileName(name: ".smelt-lock")) { try writer.addFile(named: ".smelt-lock", bytes: []) }
    }

    @Test func secondWriterOnTheSameOutputIsRefusedWhileTheFirstHoldsTheLock() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let tensors = [OutputTensor(name: "t", dtype: .f32, shape: [2])]
        let first = try CheckpointWriter(outputPath: folder + "/out", tensors: tensors, shardSizeLimit: 1 << 30)
        #expect(throws: WriterError.stagingLocked(path: first.stagingPath)) {
            _ = try CheckpointWriter(outputPath: folder + "/out", tensors: tensors, shardSizeLimit: 1 << 30)
        }
    }

    @Test func refusesDuplicateOutputNames() {
        let tensors = [OutputTensor(name: "t", dtype: .f32, shape: [1]), OutputTensor(name: "t", dtype: .f32, shape: [1])]
        #expect(throws: LayoutError.duplicateName("t")) { try ShardLayout.plan(tensors: tensors, shardSizeLimit: 100) }
    }

    @Test func publishedBytesAreDeterministic() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let tensors = Self.sampleTensors()
        try Self.writeCheckpoint(at: folder + "/one", tensors: tensors, shardSizeLimit: 40, chunkBytes: 3)
        try Self.writeCheckpoint(at: folder + "/two", tensors: tensors, shardSizeLimit: 40, chunkBytes: 7)
        let names = try FileSystem.contents(ofDirectory: folder + "/one")
        #expect(names == (try FileSystem.contents(ofDirectory: folder + "/two")))
        for name in names {
            #expect(try TestFiles.read(folder + "/one/" + name) == (try TestFiles.read(folder + "/two/" + name)), "\(name)")
        }
    }
}
