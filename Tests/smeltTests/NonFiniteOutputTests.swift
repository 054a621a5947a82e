import Base
import Checkpoint
import Foundation
import Merge
import Testing

/// The last line of defence, through the `smelt` binary: a merge whose
/// finite parameters still make NaNs or infinities its inputs do not hold
/// publishes nothing unless `--allow-non-finite` is given.
@Suite struct NonFiniteOutputTests {
    static let tensor = "model.layers.0.mlp.up_proj.weight"

    /// Writes a one-layer F32 model whose big tensor holds `values` (32 of
    /// them, repeated), next to a small finite norm.
    static func model(_ path: String, _ values: [Float]) throws {
        let big = (0..<32).map { values[$0 % values.count] }
        let tensors: [(OutputTensor, [Float])] = [
            (OutputTensor(name: tensor, dtype: .f32, shape: [4, 8]), big),
            (OutputTensor(name: "model.norm.weight", dtype: .f32, shape: [8]), Array(repeating: 1, count: 8)),
        ]
        let writer = try CheckpointWriter(outputPath: path, tensors: tensors.map(\.0), shardSizeLimit: 1 << 40)
        for (output, values) in tensors {
            try values.withUnsafeBytes { try writer.write(tensor: output.name, offset: 0, bytes: $0) }
        }
        try writer.publish(manifest: Manifest(version: smeltVersion))
    }

    /// A linear merge of models `a` and `b` in `folder` with weights 1 and 1.
    static func linearRecipe(_ folder: String, extra: String = "") -> String {
        """
        merge_method: linear
        models:
          - model: \(folder)/a
            parameters: {weight: 1}
          - model: \(folder)/b
            parameters: {weight: 1}
        parameters: {normalize: false}
        \(extra)
        """
    }

    /// The merged tensor's values, read back from the published output.
    static func mergedValues(_ output: String) throws -> [Float] {
        let checkpoint = try Checkpoint(path: output)
        guard let (file, entry) = checkpoint.tensors.first(where: { $0.tensor.name == tensor }) else { return [] }
        return file.mapping.withBytes(in: file.fileRange(of: entry)) { bytes in
            stride(from: 0, to: bytes.count, by: 4).map { bytes.loadUnaligned(fromByteOffset: $0, as: Float.self) }
        }
    }

    @Test func refusesAnInfinityItsInputsDoNotHoldAndPublishesItOnlyWhenAllowed() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.model(folder + "/a", [3e38, -1, 2])
        try Self.model(folder + "/b", [3e38, 1, 2])
        try Data(Self.linearRecipe(folder).utf8).write(to: URL(fileURLWithPath: folder + "/recipe.yml"))
        let output = folder + "/merged"
        let refused = try CommandRunner.run(["merge", folder + "/recipe.yml", output])
        #expect(refused.status == 65, "\(refused.standardError)")
        #expect(
            refused.standardError.contains("tensor \"\(Self.tensor)\" hold inf at element 0"),
            "\(refused.standardError)")
        #expect(refused.standardError.contains("--allow-non-finite"), "\(refused.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output))

        let allowed = try CommandRunner.run(["merge", folder + "/recipe.yml", output, "--allow-non-finite"])
        #expect(allowed.status == 0, "\(allowed.standardError)")
        let values = try Self.mergedValues(output)
        #expect(values.count == 32 && values[0] == .infinity && values[1] == 0 && values[2] == 4)
    }

    @Test func refusesAnInfinityMadeByRoundingToTheOutputDType() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 60000 + 60000 is finite in Float32 but beyond Float16's 65504.
        try Self.model(folder + "/a", [60000])
        try Self.model(folder + "/b", [60000])
        try Data(Self.linearRecipe(folder, extra: "out_dtype: float16").utf8).write(
            to: URL(fileURLWithPath: folder + "/recipe.yml"))
        let result = try CommandRunner.run(["merge", folder + "/recipe.yml", folder + "/merged"])
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("tensor \"\(Self.tensor)\" hold inf"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/merged"))
    }

    @Test(arguments: [Float.nan, .infinity])
    func letsThroughANonFiniteValueItsInputsHold(value: Float) throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.model(folder + "/a", [value, 1])
        try Self.model(folder + "/b", [1, 1])
        try Data(Self.linearRecipe(folder).utf8).write(to: URL(fileURLWithPath: folder + "/recipe.yml"))
        let result = try CommandRunner.run(["merge", folder + "/recipe.yml", folder + "/merged"])
        #expect(result.status == 0, "\(result.standardError)")
        let values = try Self.mergedValues(folder + "/merged")
        #expect(values.count == 32 && !values[0].isFinite && values[1] == 2)
    }

    /// Found by the params fuzzer: a tolerance of 0 divided zero by zero
    /// where an angle or a step was exactly zero.
    @Test func karcherWithZeroToleranceMakesNoNaN() throws {
        let (folder, recipe) = try MergeCommandTests.recipeFile(
            """
            merge_method: karcher
            models:
              - model: Fixtures/models/llama-f32-base
              - model: Fixtures/models/llama-f32-b
            parameters: {max_iter: 3, tol: 0}

            """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CommandRunner.run(["merge", recipe, folder + "/merged"])
        #expect(result.status == 0, "\(result.standardError)")
        let checkpoint = try Checkpoint(path: folder + "/merged")
        for (file, entry) in checkpoint.tensors {
            let finite = file.mapping.withBytes(in: file.fileRange(of: entry)) { !entry.dtype.containsNonFinite($0) }
            #expect(finite, "\(entry.name)")
        }
    }

    @Test func helpDocumentsAllowNonFinite() throws {
        let result = try CommandRunner.run(["merge", "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("--allow-non-finite"))
    }
}
