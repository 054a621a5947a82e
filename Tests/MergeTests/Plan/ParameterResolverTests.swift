import Base
import Testing
@testable import Merge

/// REFERENCE.md, "Recipe semantics": gradients, filters, precedence.
@Suite struct ParameterResolverTests {
    @Test func gradientInterpolatesAcrossLayers() {
        #expect(ParameterResolver.interpolate([0, 1], at: 0.25) == 0.25)
        #expect(ParameterResolver.interpolate([1, 0.5, 0], at: 0.75) == 0.25)
        #expect(ParameterResolver.interpolate([2, 4, 8], at: 1) == 8)
        #expect(ParameterResolver.interpolate([3], at: 0.5) == 3)
    }

    @Test func firstMatchingFilterWinsAndMissesFallThrough() throws {
        let filtered = ParameterValue.filtered([
            FilteredValue(filter: "self_attn", value: .number(0.1)),
            FilteredValue(filter: "mlp", value: .gradient([0, 1])),
        ])
        #expect(ParameterResolver.evaluate(filtered, name: "model.layers.0.self_attn.q_proj.weight", position: 0) == 0.1)
        #expect(ParameterResolver.evaluate(filtered, name: "model.layers.1.mlp.up_proj.weight", position: 1) == 1)
        #expect(ParameterResolver.evaluate(filtered, name: "model.norm.weight", position: 0) == nil)
        let mark = YAMLMark(line: 1, column: 1)
        let resolver = ParameterResolver(recipeFile: "r.yml")
        let definition = ParameterDefinition("weight", .perModel, default: nil)
        let levels = [[ParameterSetting(name: "weight", value: filtered, mark: mark)], [ParameterSetting(name: "weight", value: .number(0.7), mark: mark)]]
        #expect(try resolver.value(definition, levels: levels, name: "model.norm.weight", position: 0) == 0.7)
        #expect(try resolver.value(definition, levels: levels, name: "x.self_attn.y", position: 0) == 0.1)
    }

    @Test func refusesAGradientForASingleValueParameter() {
        let resolver = ParameterResolver(recipeFile: "r.yml")
        let setting = ParameterSetting(name: "normalize", value: .gradient([1, 0]), mark: YAMLMark(line: 4, column: 3))
        #expect(throws: MergeError.recipe(file: "r.yml", mark: YAMLMark(line: 4, column: 3), problem: "parameter 'normalize' must be a single value, not a gradient or a filter list")) {
            try resolver.value(ParameterDefinition("normalize", .global, default: 1, singleValue: true), levels: [[setting]], name: "t", position: 0)
        }
    }

    @Test func layerNumbersAreFoundAndRenumbered() {
        #expect(LayerNames.layer(of: "model.layers.12.mlp.up_proj.weight") == 12)
        #expect(LayerNames.layer(of: "model.embed_tokens.weight") == nil)
        #expect(LayerNames.renumbered("model.layers.12.mlp.up_proj.weight", to: 3) == "model.layers.3.mlp.up_proj.weight")
    }
}
