import Base
import Checkpoint
import Foundation
import Testing
@testable import Merge

/// DESIGN.md, principle 4: the output bytes depend on the inputs and the
/// recipe alone, not on threads or chunking.
@Suite struct DeterminismTests {
    /// Generated once per machine (bump the number when WideModels
    /// changes): made under a temporary name and renamed into place, so a
    /// run never sees half of it.
    static let folder = generated("/tmp/smelt-wide-models-1", large: false)
    /// The same with a 1 Mi-element tensor (WideModels.tensors(large:)).
    static let largeFolder = generated("/tmp/smelt-wide-models-large-1", large: true)

    static func generated(_ path: String, large: Bool) -> String {
        if (try? FileSystem.status(path + "/c/model.safetensors")) == nil {
            let staging = path + ".tmp-\(getpid())"
            try? FileSystem.removeTree(staging)
            try? FileSystem.createDirectory(staging)
            try? WideModels.write(in: staging, large: large)
            try? FileSystem.rename(staging, to: path)
            try? FileSystem.removeTree(staging)
        }
        return path
    }

    static let methods = WideModels.recipes(in: "WIDE").map(\.method)

    @Test(arguments: methods)
    func outputIsIdenticalAcrossThreadsAndChunkSizes(method: String) throws {
        let models = Self.folder
        let work = try MergeTestSupport.temporaryFolder()
        defer { try? FileSystem.removeTree(work) }
        let yaml = try #require(WideModels.recipes(in: models).first { $0.method == method }).yaml
        let recipe = work + "/recipe.yml"
        try FileSystem.writeFileAtomically(recipe, bytes: Array(yaml.utf8))
        // 256 KiB of Float32 work is 65,536 elements: the 307,200-element
        // embedding becomes 5 chunks (and row-wise methods align to rows);
        // 64 MiB holds every tensor in one chunk.
        try MergeTestSupport.merge(recipe, into: work + "/many-chunks-1-thread", threads: 1, chunkBytes: 256 << 10)
        try MergeTestSupport.merge(recipe, into: work + "/one-chunk-2-threads", threads: 2, chunkBytes: 64 << 20)
        try MergeTestSupport.merge(recipe, into: work + "/many-chunks-2-threads", threads: 2, chunkBytes: 256 << 10)
        let reference = try MergeTestSupport.folderBytes(work + "/many-chunks-1-thread")
        #expect(reference.keys.contains("model.safetensors"))
        for other in ["one-chunk-2-threads", "many-chunks-2-threads"] {
            let bytes = try MergeTestSupport.folderBytes(work + "/" + other)
            #expect(bytes.keys.sorted() == reference.keys.sorted())
            for (name, content) in reference { #expect(bytes[name] == content, "\(name) differs in \(other)") }
        }
        let merged = try MergeTestSupport.tensors(work + "/many-chunks-1-thread")
        let base = try MergeTestSupport.tensors(models + (method == "passthrough" ? "/a" : "/base"))
        // Not a copy of the base: the method really did something.
        #expect(merged.contains { name, tensor in tensor.dtype.isConvertibleFloat && base[name]?.values != tensor.values })
    }

    /// Kernels that decode BF16 a piece at a time must give the bytes of
    /// whole-chunk decoding, and the sample pass of a 1 Mi-element tensor
    /// (sampling each of 16 chunks, or one) the same cut-offs.
    @Test(arguments: ["task_arithmetic", "ties", "dare_ties", "breadcrumbs_ties"])
    func decodingInPiecesAndSamplingGiveTheSameBytes(method: String) throws {
        let work = try MergeTestSupport.temporaryFolder()
        defer { try? FileSystem.removeTree(work) }
        let yaml = try #require(WideModels.recipes(in: Self.largeFolder).first { $0.method == method }).yaml
        let recipe = work + "/recipe.yml"
        try FileSystem.writeFileAtomically(recipe, bytes: Array(yaml.utf8))
        try MergeTestSupport.merge(recipe, into: work + "/pieces", chunkBytes: 256 << 10)
        try MergeTestSupport.merge(recipe, into: work + "/whole", threads: 1, chunkBytes: 64 << 20, decodesInPieces: false)
        let pieces = try MergeTestSupport.folderBytes(work + "/pieces"), whole = try MergeTestSupport.folderBytes(work + "/whole")
        #expect(pieces.keys.sorted() == whole.keys.sorted())
        for (name, content) in whole { #expect(pieces[name] == content, "\(name) differs") }
    }
}
