import Base
import Testing
@testable import Merge

/// Reading mergekit recipes: the schema, values, and refusals with places.
@Suite struct RecipeTests {
    static func parse(_ text: String) throws -> Recipe { try Recipe(yaml: Array(text.utf8), file: "r.yml") }

    @Test func readsModelsParametersAndDTypes() throws {
        let recipe = try Self.parse("""
            merge_method: ties
            base_model: base
            models:
              - model: a
                parameters:
                  weight: [1, 0.5]
                  density:
                    - filter: self_attn
                      value: 0.3
                    - value: 0.7
              - model: b
            parameters:
              normalize: true
              lambda: 1e-1
            dtype: bfloat16
            out_dtype: float16
            tokenizer_source: base
            """)
        #expect(recipe.method == "ties" && !recipe.isSliced && recipe.baseModel?.text == "base")
        #expect(recipe.slices.count == 1 && recipe.slices[0].sources.map(\.model.text) == ["a", "b"])
        #expect(recipe.slices[0].sources[0].parameters[0].value == .gradient([1, 0.5]))
        #expect(recipe.slices[0].sources[0].parameters[1].value == .filtered([
            FilteredValue(filter: "self_attn", value: .number(0.3)), FilteredValue(filter: nil, value: .number(0.7)),
        ]))
        #expect(recipe.parameters.map(\.value) == [.number(1), .number(0.1)])
        #expect(recipe.dtype == .bf16 && recipe.outDType == .f16)
    }

    @Test func readsSlicesWithHalfOpenLayerRanges() throws {
        let recipe = try Self.parse("""
            merge_method: passthrough
            slices:
              - sources:
                  - model: a
                    layer_range: [0, 2]
              - sources:
                  - model: b
                    layer_range: [1, 2]
            """)
        #expect(recipe.isSliced && recipe.slices.map { $0.sources[0].layerRange } == [0..<2, 1..<2])
    }

    @Test(arguments: [
        ("merge_methd: ties\nmodels: []\n", "r.yml:1:1: unknown key 'merge_methd' (did you mean 'merge_method'?)"),
        ("merge_method: linear\nmodels:\n  - model: a\n    layer_range: [0, 1]\n", "r.yml:4:5: unknown key 'layer_range' in a model entry"),
        ("merge_method: linear\nslices:\n  - sources:\n      - model: a\n        layer_range: [2, 2]\n", "r.yml:5:22: 'layer_range' [2, 2] is empty"),
        ("merge_method: linear\nmodels:\n  - model: a\n    parameters: {weight: heavy}\n", "r.yml:4:26: parameter 'weight' must be a number"),
        ("merge_method: linear\nmodels:\n  - model: a\ndtype: float8\n", "r.yml:4:8: unknown dtype 'float8'"),
        ("models:\n  - model: a\n", "r.yml:1:1: the recipe has no 'merge_method'"),
    ])
    func refusesWithFileLineAndColumn(text: String, message: String) {
        do {
            _ = try Self.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }
}
