import Base
import Merge
import Testing

@testable import Evolve

/// Smelt's genome recipes mean what mergekit-evolve's do: the recipes
/// mergekit 0.1.5 made for the same genomes (tools/make_genome_references.py,
/// Fixtures/evolve/genome/) read back into the same structure.
@Suite struct GenomeReferenceTests {
    /// The definitions of tools/make_genome_references.py.
    static let references: [(name: String, definition: GenomeDefinition)] = [
        (
            "ties-filters",
            GenomeDefinition(
                models: ["/m/expert-a", "/m/expert-b"], baseModel: "/m/base", mergeMethod: "ties", layerGranularity: 1,
                filters: ["self_attn"])
        ),
        (
            "task-arithmetic-negative",
            GenomeDefinition(
                models: ["/m/expert-a", "/m/expert-b"], baseModel: "/m/base", mergeMethod: "task_arithmetic",
                layerGranularity: 1, normalize: true, allowNegativeWeights: true)
        ),
        (
            "dare-ties-smooth",
            GenomeDefinition(
                models: ["/m/expert-a", "/m/expert-b"], baseModel: "/m/base", mergeMethod: "dare_ties",
                layerGranularity: 1, smooth: true, filters: ["mlp"])
        ),
        (
            "linear-one-group",
            GenomeDefinition(models: ["/m/expert-a", "/m/expert-b", "/m/base"], baseModel: nil, mergeMethod: "linear")
        ),
    ]

    /// What a recipe means, with models named by their folder name.
    struct Meaning: Equatable {
        struct Source: Equatable {
            let model: String
            let layerRange: Range<Int>?
            let parameters: [String: ParameterValue]
        }
        let method: String
        let baseModel: String?
        let isSliced: Bool
        let parameters: [String: ParameterValue]
        let dtype: String?
        let slices: [[Source]]

        init(_ recipe: Recipe) {
            let byName = { (settings: [ParameterSetting]) in
                Dictionary(settings.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            }
            method = recipe.method
            baseModel = recipe.baseModel?.text.lastPathComponent
            isSliced = recipe.isSliced
            parameters = byName(recipe.parameters)
            dtype = recipe.dtype.map { "\($0)" }
            slices = recipe.slices.map { slice in
                slice.sources.map {
                    Source(
                        model: $0.model.text.lastPathComponent, layerRange: $0.layerRange,
                        parameters: byName($0.parameters))
                }
            }
        }
    }

    @Test(arguments: references.map(\.name))
    func recipeMeansWhatMergekitsMeans(_ name: String) throws {
        let definition = try #require(Self.references.first { $0.name == name }?.definition)
        let genome = try Genome(definition: definition, layerCount: 3)
        let values = (0..<genome.dimension).map { Double(($0 * 37) % 23) / 10 - 1.1 }
        let ours = try Recipe(yaml: Array(try genome.recipe(values).utf8), file: "smelt.yml")
        let path = GenomePlanTests.repositoryRoot + "/Fixtures/evolve/genome/" + name + ".yml"
        let theirs = try Recipe(yaml: try FileSystem.readSmallFile(path, limit: 1 << 20), file: path)
        #expect(Meaning(ours) == Meaning(theirs))
        #expect(ours.warnings.isEmpty)
    }
}
