import Base
import Foundation
import TestSupport
import Merge
import Testing

@testable import Evolve

/// The recipe of a genome is one Smelt itself reads and plans, and the
/// planner gives each layer the values of its group.
@Suite struct GenomePlanTests {
    static let repositoryRoot = String(#filePath).deletingLastPathComponent.deletingLastPathComponent
        .deletingLastPathComponent.deletingLastPathComponent

    /// Three copies of the 3-layer tiny Llama (the planner does not care
    /// that their weights are equal).
    static func makeModels() throws -> String {
        let folder = try TestFiles.temporaryFolder()
        let fixture = repositoryRoot + "/Fixtures/model/tiny-llama"
        for name in ["expert-a", "expert-b", "base"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
            for file in ["config.json", "model.safetensors"] {
                try FileManager.default.copyItem(atPath: fixture + "/" + file, toPath: folder + "/" + name + "/" + file)
            }
        }
        return folder
    }

    static func definition(_ folder: String, _ method: String, filters: [String], smooth: Bool) -> GenomeDefinition {
        GenomeDefinition(
            models: [folder + "/expert-a", folder + "/expert-b"], baseModel: folder + "/base", mergeMethod: method,
            layerGranularity: 1, smooth: smooth, filters: filters)
    }

    /// The per-model parameters the plan resolved for one tensor.
    static func resolved(_ plan: MergePlan, tensor: String) -> [String: [Double]]? {
        guard let planned = plan.tensors.first(where: { $0.name == tensor }),
            case .merge(_, let context, _, _) = planned.work
        else { return nil }
        return context.perModel
    }

    /// Every corner of the box CMA-ES mirrors into plans: densities at
    /// their bounds (DELLA's ε kept inside (0, 1)), weights at 0 and 1.
    @Test(arguments: ["ties", "dare_ties", "della"])
    func theCornersOfTheBoxPlan(_ method: String) throws {
        let folder = try Self.makeModels()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let genome = try Genome(definition: Self.definition(folder, method, filters: [], smooth: false), layerCount: 3)
        for corner in [genome.lowerBounds, genome.upperBounds] {
            var values = corner
            // Some weight must stay above 0 for normalize to divide by.
            values[0] = 1
            let recipe = try Recipe(yaml: Array(try genome.recipe(values).utf8), file: folder + "/recipe.yml")
            #expect(throws: Never.self) { try Planner.plan(recipe, environment: [:]) }
        }
    }

    @Test(arguments: [("ties", false), ("dare_ties", true), ("breadcrumbs_ties", false), ("dare_linear", true)])
    func plannedLayersCarryTheirGroupsValues(_ method: String, _ smooth: Bool) throws {
        let folder = try Self.makeModels()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let genome = try Genome(
            definition: Self.definition(folder, method, filters: ["self_attn"], smooth: smooth), layerCount: 3)
        // Densities inside (0, 1): the planner refuses a density of 0.
        let values = (0..<genome.dimension).map { (index: Int) -> Double in
            let magnitude = Double(index % 9 + 1) / 10
            return index % 2 == 0 ? magnitude : -magnitude
        }
        let text = try genome.recipe(values)
        let recipe = try Recipe(yaml: Array(text.utf8), file: folder + "/recipe.yml")
        let plan = try Planner.plan(recipe, environment: [:])
        #expect(plan.baseModelIndex != nil)
        // Smooth gradients are sampled at layer / (layers - 1): with one
        // group per layer they land on the group values exactly.
        for group in 0..<3 {
            for (set, tensor) in [(0, "self_attn.q_proj.weight"), (1, "mlp.up_proj.weight")] {
                let parameters = try #require(Self.resolved(plan, tensor: "model.layers.\(group).\(tensor)"))
                for (parameter, name) in genome.parameterNames.enumerated() {
                    let expected = (0..<2).map { model in
                        genome.parameterValue(values, group: group, model: model, set: set, parameter: parameter)
                    }
                    #expect(parameters[name] == expected, "layer \(group) \(tensor) \(name)")
                }
            }
        }
    }

    @Test func linearOverOneGroupPlans() throws {
        let folder = try Self.makeModels()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let definition = GenomeDefinition(
            models: [folder + "/expert-a", folder + "/expert-b", folder + "/base"], baseModel: nil,
            mergeMethod: "linear")
        let genome = try Genome(definition: definition, layerCount: 3)
        let plan = try Planner.plan(
            try Recipe(yaml: Array(try genome.recipe(genome.initialValues()).utf8), file: "r.yml"), environment: [:])
        let parameters = try #require(Self.resolved(plan, tensor: "model.layers.2.mlp.up_proj.weight"))
        let third: Double = 1.0 / 3
        #expect(parameters["weight"] == [third, third, third])
    }
}
