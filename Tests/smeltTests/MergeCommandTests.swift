import Base
import Checkpoint
import Merge
import Foundation
import Testing

/// `smelt merge` through the binary: a real merge, the no-op re-run, the
/// refusal to overwrite, dry runs, and every bad input with its exit code.
@Suite struct MergeCommandTests {
    static let linearRecipe = """
        merge_method: linear
        models:
          - model: Fixtures/models/llama-f32-a
            parameters: {weight: 0.7}
          - model: Fixtures/models/llama-f32-b
            parameters: {weight: 0.3}
        """

    /// Writes `recipe` into a fresh folder and returns (folder, recipe path).
    static func recipeFile(_ recipe: String) throws -> (String, String) {
        let folder = try CommandRunner.temporaryFolder()
        let path = folder + "/recipe.yml"
        try Data(recipe.utf8).write(to: URL(fileURLWithPath: path))
        return (folder, path)
    }

    @Test func mergesVerifiesAndRefusesToRedoOrOverwrite() throws {
        let (folder, recipe) = try Self.recipeFile(Self.linearRecipe)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/merged"
        let first = try CommandRunner.run(["merge", recipe, output])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("merged 21 tensors"))
        let verify = try CommandRunner.run(["verify", output])
        #expect(verify.status == 0, "\(verify.standardOutput)")
        for name in ["config.json", "generation_config.json", "mergekit_config.yml", "README.md", "smelt-manifest.json", "model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: output + "/" + name), "\(name) missing")
        }
        let card = try String(contentsOfFile: output + "/README.md", encoding: .utf8)
        #expect(card.hasPrefix("---\n") && card.contains("- merge\n- smelt\n") && card.contains("merge_method: linear"))

        let again = try CommandRunner.run(["merge", recipe, output])
        #expect(again.status == 0)
        #expect(again.standardOutput.contains("already holds this merge"))

        let (otherFolder, otherRecipe) = try Self.recipeFile(Self.linearRecipe.replacingOccurrences(of: "0.7", with: "0.6"))
        defer { try? FileManager.default.removeItem(atPath: otherFolder) }
        let refused = try CommandRunner.run(["merge", otherRecipe, output])
        #expect(refused.status == 73)
        #expect(refused.standardError.contains("already holds a different merge") && refused.standardError.contains("--force"))
        let forced = try CommandRunner.run(["merge", otherRecipe, output, "--force", "--json"])
        #expect(forced.status == 0, "\(forced.standardError)")
        let json = try CommandRunner.json(forced.standardOutput)
        #expect(json["outcome"] as? String == "merged")
        #expect((json["tensors"] as? Int) == 21)
        let manifest = try String(contentsOfFile: output + "/smelt-manifest.json", encoding: .utf8)
        #expect(manifest.contains("0.6"))
    }

    @Test func dryRunPrintsThePlanAndWritesNothing() throws {
        let (folder, recipe) = try Self.recipeFile(Self.linearRecipe)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CommandRunner.run(["merge", recipe, folder + "/merged", "--dry-run", "--memory-budget", "64M"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("21 tensors") && result.standardOutput.contains("free") && result.standardOutput.contains("estimated peak"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/merged"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/.merged.smelt-partial"))
    }

    static let refusals: [(name: String, recipe: String, status: Int32, message: String)] = [
        ("unknown method", "merge_method: tiez\nmodels:\n  - model: Fixtures/models/llama-f32-a\n", 65, "recipe.yml:1:15: unknown merge_method 'tiez' (did you mean 'ties'?)"),
        ("missing model", "merge_method: linear\nmodels:\n  - model: Fixtures/models/no-such-model\n    parameters: {weight: 1}\n", 66, "recipe.yml:3:12: model 'Fixtures/models/no-such-model' not found"),
        ("shape mismatch", "merge_method: linear\nslices:\n  - sources:\n      - model: Fixtures/models/llama-f32-a\n        layer_range: [0, 1]\n        parameters: {weight: 1}\n      - model: Fixtures/models/llama-large-a\n        layer_range: [0, 1]\n        parameters: {weight: 1}\n", 65, "has shape [2400, 128] in 'Fixtures/models/llama-large-a' but [128, 32]"),
        ("layer ranges differ", "merge_method: linear\nslices:\n  - sources:\n      - model: Fixtures/models/llama-f32-a\n        layer_range: [0, 2]\n        parameters: {weight: 1}\n      - model: Fixtures/models/llama-f32-b\n        layer_range: [0, 1]\n        parameters: {weight: 1}\n", 65, "recipe.yml:7:16: every source of a slice must span the same number of layers"),
        ("gradient for a single value", "merge_method: ties\nbase_model: Fixtures/models/llama-f32-base\nmodels:\n  - model: Fixtures/models/llama-f32-a\n    parameters: {weight: 1, density: 0.5}\nparameters:\n  normalize: [1, 0]\n", 65, "recipe.yml:7:3: parameter 'normalize' must be a single value"),
        ("density above 1", "merge_method: ties\nbase_model: Fixtures/models/llama-f32-base\nmodels:\n  - model: Fixtures/models/llama-f32-a\n    parameters: {weight: 1, density: 1.5}\n", 65, "recipe.yml:5:38: density of model 'Fixtures/models/llama-f32-a' is 1.5, outside (0, 1]"),
        ("density zero", "merge_method: dare_ties\nbase_model: Fixtures/models/llama-f32-base\nmodels:\n  - model: Fixtures/models/llama-f32-a\n    parameters: {weight: 1, density: 0}\n", 65, "recipe.yml:5:38: density of model 'Fixtures/models/llama-f32-a' is 0.0, outside (0, 1]"),
        ("slerp with three models", "merge_method: slerp\nbase_model: Fixtures/models/llama-f32-base\nmodels:\n  - model: Fixtures/models/llama-f32-a\n  - model: Fixtures/models/llama-f32-b\nparameters: {t: 0.5}\n", 65, "slerp takes exactly two models"),
        ("unknown parameter", "merge_method: ties\nbase_model: Fixtures/models/llama-f32-base\nmodels:\n  - model: Fixtures/models/llama-f32-a\n    parameters: {weight: 1, densty: 0.5}\n", 65, "unknown parameter 'densty' (did you mean 'density'?)"),
        ("missing required parameter", "merge_method: linear\nmodels:\n  - model: Fixtures/models/llama-f32-a\n", 65, "linear needs parameter 'weight'"),
        ("yaml syntax", "merge_method: linear\nmodels:\n  - model: [unclosed\n", 65, "recipe.yml:4:1:"),
        ("union tokenizer", "merge_method: linear\ntokenizer_source: union\nmodels:\n  - model: Fixtures/models/llama-f32-a\n    parameters: {weight: 1}\n", 65, "is not supported yet"),
        ("lora reference", "merge_method: linear\nmodels:\n  - model: Fixtures/models/llama-f32-a+some/lora\n    parameters: {weight: 1}\n", 65, "'model+lora' reference"),
        ("models and slices", "merge_method: linear\nmodels: []\nslices: []\n", 65, "either 'models' or 'slices'"),
        ("no base for ties", "merge_method: ties\nmodels:\n  - model: Fixtures/models/llama-f32-a\n    parameters: {weight: 1}\n", 65, "ties needs a base_model"),
        ("layer range past the end", "merge_method: passthrough\nslices:\n  - sources:\n      - model: Fixtures/models/llama-f32-a\n        layer_range: [1, 5]\n", 65, "goes past the 2 layers"),
    ]

    @Test(arguments: refusals.map(\.name))
    func refusesBadRecipes(name: String) throws {
        let refusal = try #require(Self.refusals.first { $0.name == name })
        let (folder, recipe) = try Self.recipeFile(refusal.recipe)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CommandRunner.run(["merge", recipe, folder + "/merged"])
        #expect(result.status == refusal.status, "\(result.standardError)")
        #expect(result.standardError.contains(refusal.message), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/merged"))
    }

    @Test func refusesAModelWithOnlyPickleWeights() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/pickled", withIntermediateDirectories: true)
        try Data([0x80, 0x02]).write(to: URL(fileURLWithPath: folder + "/pickled/pytorch_model.bin"))
        let (recipeFolder, recipe) = try Self.recipeFile("merge_method: linear\nmodels:\n  - model: \(folder)/pickled\n    parameters: {weight: 1}\n")
        defer { try? FileManager.default.removeItem(atPath: recipeFolder) }
        let result = try CommandRunner.run(["merge", recipe, folder + "/merged"])
        #expect(result.status == 65)
        #expect(result.standardError.contains("pytorch_model.bin") && result.standardError.contains("not supported yet"))
    }

    @Test(arguments: [["--memory-budget", "lots"], ["--threads", "0"], ["--seed", "-1"], ["--chunk-size", "12Q"]])
    func refusesBadOptions(option: [String]) throws {
        let result = try CommandRunner.run(["merge", "recipe.yml", "out"] + option)
        #expect(result.status == 64)
        #expect(result.standardError.contains("error: --" + option[0].dropFirst(2)))
    }

    @Test func helpTeachesTheOptions() throws {
        let result = try CommandRunner.run(["merge", "--help"])
        #expect(result.status == 0)
        for option in ["--memory-budget", "--threads", "--shard-size", "--chunk-size", "--seed", "--dry-run", "--restart", "--force", "--json", "--quiet"] {
            #expect(result.standardOutput.contains(option), "\(option) undocumented")
        }
    }
}

/// `smelt --version` names the version the manifest records.
@Suite struct VersionTests {
    @Test func printsTheVersion() throws {
        let result = try CommandRunner.run(["--version"])
        #expect(result.status == 0)
        #expect(result.standardOutput == "smelt \(smeltVersion)\n")
    }
}

/// Inputs and outputs the planner must refuse before writing anything.
@Suite struct MergePlanRefusalTests {
    @Test func refusesAModelMissingATensor() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // llama-f32-a without one of its MLP weights.
        let source = try Checkpoint(path: CommandRunner.fixture("models/llama-f32-a"))
        let kept = source.tensors.filter { $0.tensor.name != "model.layers.1.mlp.up_proj.weight" }
        let writer = try CheckpointWriter(outputPath: folder + "/partial", tensors: kept.map { OutputTensor(name: $0.tensor.name, dtype: $0.tensor.dtype, shape: $0.tensor.shape) }, shardSizeLimit: 1 << 40)
        for (file, tensor) in kept {
            try file.mapping.withBytes(in: file.fileRange(of: tensor)) { try writer.write(tensor: tensor.name, offset: 0, bytes: $0) }
        }
        try writer.publish(manifest: Manifest(version: smeltVersion))
        let (recipeFolder, recipe) = try MergeCommandTests.recipeFile(
            "merge_method: linear\nmodels:\n  - model: Fixtures/models/llama-f32-a\n    parameters: {weight: 1}\n  - model: \(folder)/partial\n    parameters: {weight: 1}\n")
        defer { try? FileManager.default.removeItem(atPath: recipeFolder) }
        let result = try CommandRunner.run(["merge", recipe, recipeFolder + "/merged"])
        #expect(result.status == 65)
        #expect(result.standardError.contains("tensor \"model.layers.1.mlp.up_proj.weight\" is missing from '\(folder)/partial'"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: recipeFolder + "/merged"))
    }

    @Test func refusesALayerNumberFarPastTheOthersInSeconds() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // llama-f32-a (two layers) with one more tensor in layer 999999999.
        let source = try Checkpoint(path: CommandRunner.fixture("models/llama-f32-a"))
        let far = "model.layers.999999999.mlp.up_proj.weight"
        let outputs = source.tensors.map { OutputTensor(name: $0.tensor.name, dtype: $0.tensor.dtype, shape: $0.tensor.shape) }
        let writer = try CheckpointWriter(
            outputPath: folder + "/far", tensors: outputs + [OutputTensor(name: far, dtype: .f32, shape: [1])], shardSizeLimit: 1 << 40)
        for (file, tensor) in source.tensors {
            try file.mapping.withBytes(in: file.fileRange(of: tensor)) { try writer.write(tensor: tensor.name, offset: 0, bytes: $0) }
        }
        try [Float(1)].withUnsafeBytes { try writer.write(tensor: far, offset: 0, bytes: $0) }
        try writer.publish(manifest: Manifest(version: smeltVersion))
        let (recipeFolder, recipe) = try MergeCommandTests.recipeFile(
            "merge_method: linear\nmodels:\n  - model: Fixtures/models/llama-f32-a\n    parameters: {weight: 1}\n  - model: \(folder)/far\n    parameters: {weight: 1}\n")
        defer { try? FileManager.default.removeItem(atPath: recipeFolder) }
        for extra in [["--dry-run"], []] {
            let result = try CommandRunner.run(["merge", recipe, recipeFolder + "/merged"] + extra)
            #expect(result.status == 65, "\(result.standardError)")
            #expect(result.standardError.contains("tensor \"\(far)\" is in layer 999999999, but the model has no layer 2"), "\(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: recipeFolder + "/merged"))
        }
    }

    @Test func refusesAZeroLengthTensorWithADimensionBeyondInt() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/huge", withIntermediateDirectories: true)
        let json = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[0,18446744073709551615],\"data_offsets\":[0,0]}}"
        try Data([UInt8(json.utf8.count), 0, 0, 0, 0, 0, 0, 0] + Array(json.utf8)).write(to: URL(fileURLWithPath: folder + "/huge/model.safetensors"))
        let (recipeFolder, recipe) = try MergeCommandTests.recipeFile(
            "merge_method: linear\nmodels:\n  - model: \(folder)/huge\n    parameters: {weight: 1}\n")
        defer { try? FileManager.default.removeItem(atPath: recipeFolder) }
        let result = try CommandRunner.run(["merge", recipe, recipeFolder + "/merged"])
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("\(folder)/huge/model.safetensors: tensor \"w\": shape [0, 18446744073709551615]"), "\(result.standardError)")
        let inspect = try CommandRunner.run(["inspect", folder + "/huge"])
        #expect(inspect.status == 65, "\(inspect.standardError)")
    }

    @Test func refusesAnOutputPathThatIsAFile() throws {
        let (folder, recipe) = try MergeCommandTests.recipeFile(MergeCommandTests.linearRecipe)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("not a model\n".utf8).write(to: URL(fileURLWithPath: folder + "/merged"))
        let result = try CommandRunner.run(["merge", recipe, folder + "/merged"])
        #expect(result.status == 73)
        #expect(result.standardError.contains("not written by Smelt"))
        #expect(try String(contentsOfFile: folder + "/merged", encoding: .utf8) == "not a model\n")
    }
}
