import Base
import Checkpoint
import Foundation
@testable import Merge
import TestSupport

/// Helpers for the Merge tests: the fixtures, temporary folders, running a
/// recipe in-process, and reading a merged checkpoint back as Float32.
enum MergeTestSupport {
    /// The repository root, found from this file's path. Recipes name their
    /// models relative to it (as mergekit does, relative to the current
    /// directory), so every test runs from there.
    static let repositoryRoot: String = {
        let root = String(#filePath).deletingLastPathComponent.deletingLastPathComponent.deletingLastPathComponent
        _ = FileManager.default.changeCurrentDirectoryPath(root)
        return root
    }()

    static func recipe(_ name: String) -> String { repositoryRoot + "/Fixtures/recipes/" + name + ".yml" }
    static func golden(_ name: String) -> String { repositoryRoot + "/Fixtures/goldens/" + name }

    static func temporaryFolder() throws -> String {
        _ = repositoryRoot
        return try TestFiles.temporaryFolder()
    }

    /// Runs `recipePath` into `output` with the given threads and chunk size.
    @discardableResult
    static func merge(
        _ recipePath: String, into output: String, threads: Int = 2, chunkBytes: UInt64? = nil, seed: UInt64 = 0, decodesInPieces: Bool = true
    ) throws -> MergeResult {
        _ = repositoryRoot
        // A forced chunk size needs a budget that holds its buffers (the
        // budget changes no output byte).
        var options = MergeOptions(memoryBudget: max(64 << 20, (chunkBytes ?? 0) * 16), threads: threads)
        options.chunkBytes = chunkBytes
        options.decodesInPieces = decodesInPieces
        options.plan.seed = seed
        return try MergeRun.run(recipePath: recipePath, outputPath: output, options: options, dryRun: false)
    }

    /// Every tensor of a checkpoint folder, decoded to Float32 (non-float
    /// tensors as their raw bytes, one Float per byte).
    static func tensors(_ path: String) throws -> [String: (dtype: DType, shape: [UInt64], values: [Float])] {
        let checkpoint = try Checkpoint(path: path)
        var result: [String: (DType, [UInt64], [Float])] = [:]
        for (file, tensor) in checkpoint.tensors {
            let range = file.fileRange(of: tensor)
            let values: [Float] = file.mapping.withBytes(in: range) { bytes in
                if tensor.dtype.isConvertibleFloat {
                    var decoded = [Float](repeating: 0, count: Int(tensor.elementCount))
                    _ = decoded.withUnsafeMutableBufferPointer { tensor.dtype.decode(bytes, into: $0) }
                    return decoded
                }
                return bytes.map { Float($0) }
            }
            result[tensor.name] = (tensor.dtype, tensor.shape, values)
        }
        return result
    }

    /// The bytes of every file in a folder except `smelt-run.json`.
    static func folderBytes(_ path: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileSystem.contents(ofDirectory: path) where name != "smelt-run.json" {
            files[name] = try FileSystem.readSmallFile(path + "/" + name, limit: 1 << 30)
        }
        return files
    }
}
