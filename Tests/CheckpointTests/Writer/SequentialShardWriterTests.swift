import TestSupport
import Base
import Checkpoint
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The sequential stream must put every byte where the plain writer would,
/// whatever the block size, the flush timing, the gaps a resume leaves and
/// whether the file system takes direct I/O.
@Suite struct SequentialShardWriterTests {
    /// Tensors of awkward sizes (none a multiple of the 4 KiB alignment)
    /// over two shards, with their bytes.
    static func tensors() -> [(OutputTensor, [UInt8])] {
        [1, 4_097, 12_345, 70_001, 3, 9_000, 40_000, 5].enumerated().map { index, count in
            (OutputTensor(name: "t\(index)", dtype: .u8, shape: [UInt64(count)]), TestFiles.randomBytes(count: count, seed: UInt64(index + 1)))
        }
    }

    /// Streams every tensor in chunks of `chunkBytes`, in order, except
    /// every `gapEvery`-th chunk, which goes through the plain writer (as
    /// chunks an interrupted run kept are already on disk); publishes and
    /// returns each tensor's published bytes.
    static func streamAndPublish(
        folder: String, blockBytes: Int, blockCount: Int, flushInterval: Double, chunkBytes: Int, gapEvery: Int
    ) throws -> [String: [UInt8]] {
        let tensors = Self.tensors()
        let output = folder + "/out"
        let writer = try CheckpointWriter(outputPath: output, tensors: tensors.map(\.0), shardSizeLimit: 60_000)
        #expect(writer.shards.count > 1)
        let stream = SequentialShardWriter(writer: writer, blockBytes: blockBytes, blockCount: blockCount, flushInterval: flushInterval)
        var chunk = 0
        for (tensor, bytes) in tensors {
            for start in stride(from: 0, to: bytes.count, by: chunkBytes) {
                let end = min(bytes.count, start + chunkBytes)
                chunk += 1
                try bytes.withUnsafeBytes { all in
                    let piece = UnsafeRawBufferPointer(rebasing: all[start..<end])
                    if chunk % gapEvery == 0 {
                        try writer.write(tensor: tensor.name, offset: UInt64(start), bytes: piece)
                    } else {
                        try stream.append(tensor: tensor.name, offset: UInt64(start), bytes: piece)
                    }
                }
            }
        }
        try stream.finish()
        try writer.publish(manifest: Manifest(version: "test"))
        let checkpoint = try Checkpoint(path: output)
        #expect(try Verifier.verify(path: output).isClean)
        var published: [String: [UInt8]] = [:]
        for (file, tensor) in checkpoint.tensors {
            published[tensor.name] = file.mapping.withBytes(in: file.fileRange(of: tensor)) { Array($0) }
        }
        return published
    }

    static func expected() -> [String: [UInt8]] {
        Dictionary(uniqueKeysWithValues: tensors().map { ($0.0.name, $0.1) })
    }

    @Test(arguments: [
        (8_192, 2, 10.0, 1_000, 1_000_000),   // many small blocks, no gaps
        (8_192, 2, 0.0, 1_500, 7),            // a flush after every chunk, gaps
        (4_096, 3, 10.0, 4_096, 3),           // chunks of exactly one block
        (1 << 20, 4, 10.0, 50_000, 2),        // blocks larger than a shard
    ])
    func streamedBytesLandWhereThePlainWriterPutsThem(blockBytes: Int, blockCount: Int, flushInterval: Double, chunkBytes: Int, gapEvery: Int) throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let published = try Self.streamAndPublish(
            folder: folder, blockBytes: blockBytes, blockCount: blockCount, flushInterval: flushInterval, chunkBytes: chunkBytes, gapEvery: gapEvery)
        #expect(published == Self.expected())
    }

    @Test func aFileSystemWithoutDirectIOGetsTheSameBytes() throws {
        // tmpfs refuses O_DIRECT on older kernels and takes it on newer ones;
        // either way the bytes must be right.
        guard try FileSystem.status("/dev/shm")?.isDirectory == true else { return }
        var template = Array("/dev/shm/smelt-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError(call: "mkdtemp", path: "/dev/shm", errno: errno) }
        let folder = String(cString: made)
        defer { try? FileSystem.removeTree(folder) }
        let published = try Self.streamAndPublish(folder: folder, blockBytes: 8_192, blockCount: 2, flushInterval: 0, chunkBytes: 3_000, gapEvery: 4)
        #expect(published == Self.expected())
    }

    @Test func bytesOutsideATensorAreRefused() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let writer = try CheckpointWriter(outputPath: folder + "/out", tensors: [OutputTensor(name: "t", dtype: .u8, shape: [10])], shardSizeLimit: 1 << 30)
        let stream = SequentialShardWriter(writer: writer, blockBytes: 4_096, blockCount: 2)
        let bytes = [UInt8](repeating: 7, count: 4)
        #expect(throws: WriterError.chunkOutOfRange(tensor: "t", offset: 8, count: 4, tensorBytes: 10)) {
            try bytes.withUnsafeBytes { try stream.append(tensor: "t", offset: 8, bytes: $0) }
        }
        #expect(throws: WriterError.unknownTensor(name: "u")) {
            try bytes.withUnsafeBytes { try stream.append(tensor: "u", offset: 0, bytes: $0) }
        }
        try stream.finish()
    }
}
