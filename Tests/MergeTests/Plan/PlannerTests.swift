import Base
import Checkpoint
import Foundation
import Testing
@testable import Merge

/// The planner's refusals at unit level: each recipe or model that cannot
/// be merged is refused by `Planner.plan` with the structured error that
/// names the place, before anything is written.
@Suite struct PlannerTests {
    /// The tensors of a two-layer model: small F32 tensors in and outside
    /// the layers.
    static let twoLayers: [(String, [UInt64])] = [
        ("model.embed_tokens.weight", [4, 2]),
        ("model.layers.0.mlp.up_proj.weight", [2, 2]),
        ("model.layers.1.mlp.up_proj.weight", [2, 2]),
        ("model.norm.weight", [2]),
    ]

    static func config(layers: Int) -> String {
        "{\"model_type\": \"llama\", \"num_hidden_layers\": \(layers)}"
    }

    /// Writes an F32 model of `tensors` (values from their index) with
    /// `config` as its config.json, if any.
    static func writeModel(at path: String, tensors: [(String, [UInt64])], config: String? = config(layers: 2)) throws {
        let outputs = tensors.map { OutputTensor(name: $0.0, dtype: .f32, shape: $0.1) }
        let writer = try CheckpointWriter(outputPath: path, tensors: outputs, shardSizeLimit: 1 << 40)
        for (index, tensor) in tensors.enumerated() {
            let values = [Float](repeating: Float(index + 1), count: Int(tensor.1.reduce(1, *)))
            try values.withUnsafeBytes { try writer.write(tensor: tensor.0, offset: 0, bytes: $0) }
        }
        if let config { try writer.addFile(named: "config.json", bytes: Array(config.utf8)) }
        try writer.publish(manifest: Manifest(version: smeltVersion))
    }

    /// Plans `recipe`, whose `MODELS` stands for the folder of test models.
    static func plan(_ recipe: String, models folder: String) throws -> MergePlan {
        let text = recipe.replacingOccurrences(of: "MODELS", with: folder)
        return try Planner.plan(try Recipe(yaml: Array(text.utf8), file: "r.yml"), environment: [:])
    }

    static func withModels(_ body: (String) throws -> Void) throws {
        let folder = try MergeTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeModel(at: folder + "/a", tensors: twoLayers)
        try writeModel(at: folder + "/b", tensors: twoLayers)
        try body(folder)
    }

    static let linear = "merge_method: linear\nmodels:\n  - model: MODELS/a\n    parameters: {weight: 1}\n"
        + "  - model: MODELS/b\n    parameters: {weight: 1}\n"

    @Test func layerCountComesFromTheLayersPresent() throws {
        try Self.withModels { folder in
            let plan = try Self.plan(Self.linear, models: folder)
            let config = String(decoding: try #require(plan.config), as: UTF8.self)
            #expect(config.contains("\"num_hidden_layers\": 2"), "\(config)")
        }
    }

    @Test func refusesALayerNumberFarPastTheOthers() throws {
        try Self.withModels { folder in
            let far = "model.layers.999999999.mlp.up_proj.weight"
            try Self.writeModel(at: folder + "/far", tensors: Self.twoLayers + [(far, [2, 2])])
            let recipe = Self.linear.replacingOccurrences(of: "MODELS/b", with: "MODELS/far")
            #expect(throws: MergeError.layerGap(model: folder + "/far", path: folder + "/far", tensor: far, layer: 999_999_999, missingLayer: 2)) {
                try Self.plan(recipe, models: folder)
            }
        }
    }

    @Test func refusesAGapInTheLayerNumbers() throws {
        try Self.withModels { folder in
            let tensors = Self.twoLayers.map { ($0.0.replacingOccurrences(of: "layers.1.", with: "layers.2."), $0.1) }
            try Self.writeModel(at: folder + "/gap", tensors: tensors)
            let recipe = Self.linear.replacingOccurrences(of: "MODELS/b", with: "MODELS/gap")
            #expect(throws: MergeError.layerGap(
                model: folder + "/gap", path: folder + "/gap", tensor: "model.layers.2.mlp.up_proj.weight", layer: 2, missingLayer: 1)) {
                try Self.plan(recipe, models: folder)
            }
        }
    }

    @Test func refusesAConfigThatDisagreesWithTheLayers() throws {
        try Self.withModels { folder in
            try Self.writeModel(at: folder + "/three", tensors: Self.twoLayers, config: Self.config(layers: 3))
            let recipe = Self.linear.replacingOccurrences(of: "MODELS/b", with: "MODELS/three")
            #expect(throws: MergeError.layerCountMismatch(
                model: folder + "/three", configFile: folder + "/three/config.json", statedLayers: 3, tensorLayers: 2)) {
                try Self.plan(recipe, models: folder)
            }
        }
    }

    @Test func acceptsAModelWithoutConfig() throws {
        try Self.withModels { folder in
            try Self.writeModel(at: folder + "/bare", tensors: Self.twoLayers, config: nil)
            let plan = try Self.plan(Self.linear.replacingOccurrences(of: "MODELS/b", with: "MODELS/bare"), models: folder)
            #expect(plan.tensors.count == Self.twoLayers.count)
        }
    }

    @Test func refusesTwoLayerNumbersThatAreOneNumber() throws {
        try Self.withModels { folder in
            try Self.writeModel(at: folder + "/zero", tensors: Self.twoLayers + [("model.layers.01.mlp.up_proj.weight", [2, 2])])
            let recipe = "merge_method: passthrough\nslices:\n  - sources:\n      - model: MODELS/zero\n        layer_range: [1, 2]\n"
            #expect(throws: MergeError.duplicateOutput(
                tensor: "model.layers.0.mlp.up_proj.weight", input: "model.layers.1.mlp.up_proj.weight",
                otherInput: "model.layers.01.mlp.up_proj.weight", model: folder + "/zero")) {
                try Self.plan(recipe, models: folder)
            }
        }
    }

    @Test func refusesADimensionBeyondIntInAnInput() throws {
        try Self.withModels { folder in
            try FileSystem.createDirectory(folder + "/huge")
            let json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[0,18446744073709551615],\"data_offsets\":[0,0]}}"
            var bytes = withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { Array($0) }
            bytes += Array(json.utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/huge/model.safetensors"))
            let recipe = Self.linear.replacingOccurrences(of: "MODELS/b", with: "MODELS/huge")
            #expect(throws: CheckpointError.shapeTooLarge(
                file: folder + "/huge/model.safetensors", tensor: "w", shape: [0, 18_446_744_073_709_551_615])) {
                try Self.plan(recipe, models: folder)
            }
        }
    }

    /// Recipes over models a and b that the planner refuses, with the
    /// text the error must hold (and its place in r.yml).
    static let refusedRecipes: [(rule: String, recipe: String, message: String)] = [
        ("unknown method", "merge_method: tiez\nmodels:\n  - model: MODELS/a\n", "r.yml:1:15: unknown merge_method 'tiez' (did you mean 'ties'?)"),
        ("unknown parameter", linear.replacingOccurrences(of: "{weight: 1}\n  - model: MODELS/b", with: "{wieght: 1}\n  - model: MODELS/b"),
         "r.yml:4:18: unknown parameter 'wieght' (did you mean 'weight'?)"),
        ("layer range past the model", "merge_method: passthrough\nslices:\n  - sources:\n      - model: MODELS/a\n        layer_range: [0, 3]\n",
         "goes past the 2 layers of 'MODELS/a'"),
        ("slices of different lengths",
         "merge_method: linear\nslices:\n  - sources:\n      - model: MODELS/a\n        layer_range: [0, 2]\n        parameters: {weight: 1}\n"
            + "      - model: MODELS/b\n        layer_range: [0, 1]\n        parameters: {weight: 1}\n",
         "r.yml:7:16: every source of a slice must span the same number of layers"),
        ("method that needs a base", "merge_method: ties\nmodels:\n  - model: MODELS/a\n    parameters: {weight: 1, density: 0.5}\n",
         "r.yml:1:15: ties needs a base_model"),
        ("slerp with one model", "merge_method: slerp\nbase_model: MODELS/a\nmodels:\n  - model: MODELS/a\nparameters: {t: 0.5}\n",
         "slerp takes exactly two models"),
        ("missing required parameter", "merge_method: linear\nmodels:\n  - model: MODELS/a\n", "linear needs parameter 'weight'"),
        ("missing model", "merge_method: linear\nmodels:\n  - model: MODELS/nothing\n    parameters: {weight: 1}\n",
         "r.yml:3:12: model 'MODELS/nothing' not found"),
    ]

    @Test(arguments: refusedRecipes.map(\.rule))
    func refusesRecipesThatCannotBeMerged(rule: String) throws {
        let refusal = try #require(Self.refusedRecipes.first { $0.rule == rule })
        try Self.withModels { folder in
            do {
                _ = try Self.plan(refusal.recipe, models: folder)
                Issue.record("planned a recipe with \(rule)")
            } catch let error as MergeError {
                let expected = refusal.message.replacingOccurrences(of: "MODELS", with: folder)
                #expect(error.description.contains(expected), "\(error.description)")
            }
        }
    }

    @Test func refusesTensorsOfDifferentShapes() throws {
        try Self.withModels { folder in
            let tensors = Self.twoLayers.map { $0.0 == "model.norm.weight" ? ($0.0, [3]) : $0 }
            try Self.writeModel(at: folder + "/wide", tensors: tensors)
            let recipe = Self.linear.replacingOccurrences(of: "MODELS/b", with: "MODELS/wide")
            #expect(throws: MergeError.shapeMismatch(
                tensor: "model.norm.weight", model: folder + "/wide", shape: [3], otherModel: folder + "/a", otherShape: [2])) {
                try Self.plan(recipe, models: folder)
            }
        }
    }

    @Test func refusesAModelMissingATensor() throws {
        try Self.withModels { folder in
            try Self.writeModel(at: folder + "/short", tensors: Self.twoLayers.filter { $0.0 != "model.norm.weight" })
            let recipe = Self.linear.replacingOccurrences(of: "MODELS/b", with: "MODELS/short")
            #expect(throws: MergeError.missingTensor(tensor: "model.norm.weight", model: folder + "/short", path: folder + "/short")) {
                try Self.plan(recipe, models: folder)
            }
        }
    }
}
