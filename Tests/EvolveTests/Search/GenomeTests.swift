import Merge
import Testing

@testable import Evolve

/// mergekit-evolve's genome layout and its values → recipe transform
/// (mergekit/evo/genome.py).
@Suite struct GenomeTests {
    static func definition(
        _ method: String = "ties", granularity: Int = 1, filters: [String] = [], smooth: Bool = false,
        negative: Bool = false
    ) -> GenomeDefinition {
        GenomeDefinition(
            models: ["/m/expert-a", "/m/expert-b"], baseModel: "/m/base", mergeMethod: method,
            layerGranularity: granularity, allowNegativeWeights: negative, smooth: smooth, filters: filters)
    }

    @Test func dimensionIsGroupsTimesModelsTimesSetsTimesParameters() throws {
        let ties = try Genome(definition: Self.definition(filters: ["self_attn", "mlp"]), layerCount: 3)
        #expect(
            ties.layerGroupCount == 3 && ties.parameterSetCount == 3 && ties.parameterNames == ["weight", "density"])
        #expect(ties.dimension == 3 * 2 * 3 * 2)
        let linear = try Genome(definition: Self.definition("linear", granularity: 0), layerCount: 32)
        #expect(linear.layerGroupCount == 1 && linear.dimension == 2 && linear.parameterNames == ["weight"])
        let della = try Genome(definition: Self.definition("della", granularity: 8), layerCount: 32)
        #expect(della.layerGroupCount == 4 && della.dimension == 4 * 2 * 1 * 2)
    }

    @Test func refusesAGranularityThatDoesNotDivideTheLayers() {
        #expect(throws: EvolveError.layerGranularity(granularity: 10, layerCount: 32)) {
            try Genome(definition: Self.definition(granularity: 10), layerCount: 32)
        }
    }

    @Test func initialValuesAreOneOverModelsForWeightsAndOneElsewhere() throws {
        let ties = try Genome(definition: Self.definition(filters: ["mlp"]), layerCount: 2)
        #expect(ties.initialValues() == Array(repeating: [0.5, 1], count: 2 * 2 * 2).flatMap { $0 })
        let linear = try Genome(definition: Self.definition("task_arithmetic"), layerCount: 3)
        #expect(linear.initialValues() == Array(repeating: 0.5, count: 6))
        let random = ties.initialValues(randomSeed: 7)
        #expect(random == ties.initialValues(randomSeed: 7) && random != ties.initialValues(randomSeed: 8))
        #expect(random.allSatisfy { $0 >= 0 && $0 < 1 } && Set(random).count == random.count)
    }

    @Test func boundsAllowNegativeWeightsOnlyWhenAsked() throws {
        let plain = try Genome(definition: Self.definition(), layerCount: 1)
        #expect(plain.lowerBounds == [0, 0.01, 0, 0.01] && plain.upperBounds == [1, 1, 1, 1])
        let negative = try Genome(definition: Self.definition(negative: true), layerCount: 1)
        #expect(negative.lowerBounds == [-1, 0.01, -1, 0.01])
    }

    @Test func dellaDensitiesStayWhereDensityPlusOrMinusEpsilonFits() throws {
        let della = try Genome(definition: Self.definition("della"), layerCount: 1)
        #expect(della.lowerBounds == [0, 0.16, 0, 0.16] && della.upperBounds == [1, 0.84, 1, 0.84])
        #expect(della.initialValues() == [0.5, 0.84, 0.5, 0.84])
    }

    @Test func valueNamesFollowTheFlatOrderAndAreUnique() throws {
        let genome = try Genome(definition: Self.definition(granularity: 10, filters: ["self_attn"]), layerCount: 20)
        let names = genome.valueNames
        #expect(names.count == genome.dimension && Set(names).count == names.count)
        #expect(
            Array(names.prefix(5)) == [
                "layers_0_9.expert-a.self_attn.weight", "layers_0_9.expert-a.self_attn.density",
                "layers_0_9.expert-a.weight", "layers_0_9.expert-a.density", "layers_0_9.expert-b.self_attn.weight",
            ])
        #expect(names[genome.index(group: 1, model: 1, set: 1, parameter: 1)] == "layers_10_19.expert-b.density")
        let clash = GenomeDefinition(models: ["/x/model", "/y/model"], baseModel: nil, mergeMethod: "linear")
        #expect(
            try Genome(definition: clash, layerCount: 1).valueNames == [
                "layers_0_0.0_model.weight", "layers_0_0.1_model.weight",
            ])
    }

    @Test func recipeRefusesWrongLengthsAndNonFiniteValues() throws {
        let genome = try Genome(definition: Self.definition(), layerCount: 1)
        #expect(throws: EvolveError.genomeLength(expected: 4, found: 3)) { try genome.recipe([0.1, 0.2, 0.3]) }
        #expect(
            throws: EvolveError.nonFiniteGenomeValue(name: "layers_0_0.expert-b.weight", index: 2, value: .infinity)
        ) {
            try genome.recipe([0.1, 0.2, .infinity, 0.3])
        }
    }

    /// The values of the recipe tests: signed, above 1 and exact in text.
    static func values(_ count: Int) -> [Double] { (0..<count).map { Double(($0 * 37) % 23) / 10 - 1.1 } }

    @Test func recipeWithFiltersIsMergekitsSlices() throws {
        let genome = try Genome(definition: Self.definition(filters: ["self_attn"]), layerCount: 3)
        let text = try genome.recipe(Self.values(genome.dimension))
        let expectedStart = """
            merge_method: ties
            base_model: /m/base
            parameters:
              normalize: true
              int8_mask: true
            dtype: bfloat16
            slices:
              - sources:
                  - model: /m/expert-a
                    layer_range: [0, 1]
                    parameters:
                      weight:
                        - {filter: self_attn, value: 1.1}
                        - {value: 0.6000000000000001}
                      density:
                        - {filter: self_attn, value: 0.2999999999999998}
                        - {value: 0.7999999999999998}
                  - model: /m/expert-b
                    layer_range: [0, 1]
                    parameters:
                      weight:
                        - {filter: self_attn, value: 0.10000000000000009}
                        - {value: 0.3999999999999999}
                      density:
                        - {filter: self_attn, value: 1.0}
                        - {value: 0.5000000000000001}
                  - model: /m/base
                    layer_range: [0, 1]
              - sources:
            """
        #expect(text.hasPrefix(expectedStart))
        #expect(text.hasSuffix("      - model: /m/base\n        layer_range: [2, 3]\n"))
    }

    @Test func smoothRecipeIsOneGradientPerModel() throws {
        let genome = try Genome(definition: Self.definition("task_arithmetic", smooth: true), layerCount: 3)
        let text = try genome.recipe([0.25, -0.5, 0.125, 1, 2, -3])
        #expect(
            text == """
                merge_method: task_arithmetic
                base_model: /m/base
                parameters:
                  normalize: false
                  int8_mask: true
                dtype: bfloat16
                models:
                  - model: /m/expert-a
                    parameters:
                      weight: [0.25, 0.125, 2.0]
                  - model: /m/expert-b
                    parameters:
                      weight: [0.5, 1.0, 3.0]
                  - model: /m/base

                """)
    }

    @Test func pathsThatYAMLWouldMisreadAreQuoted() {
        #expect(RecipeText.string("/m/expert-a") == "/m/expert-a")
        #expect(RecipeText.string("true") == "\"true\"" && RecipeText.string("1.5") == "\"1.5\"")
        #expect(RecipeText.string("/m/a b: \"c\"\n") == "\"/m/a b: \\\"c\\\"\\n\"")
        #expect(RecipeText.string("-x") == "\"-x\"")
    }
}
