import Base
import Foundation
import Testing

/// Bad parameter values through the `smelt` binary: every number a recipe
/// gives is checked before anything is written, and the error points at
/// the number's own text.
@Suite struct ParameterValueRefusalTests {
    static func linear(weight: String) -> String {
        """
        merge_method: linear
        models:
          - model: Fixtures/models/llama-f32-a
            parameters: {weight: \(weight)}
          - model: Fixtures/models/llama-f32-b
            parameters: {weight: 1}

        """
    }

    static func slerp(t: String) -> String {
        """
        merge_method: slerp
        base_model: Fixtures/models/llama-f32-base
        models:
          - model: Fixtures/models/llama-f32-a
        parameters:
          t: \(t)

        """
    }

    static let modelA = "of model 'Fixtures/models/llama-f32-a'"

    /// Name, recipe, what stderr must hold (place, parameter, problem).
    static let refusals: [(name: String, recipe: String, message: String)] = [
        ("weight .nan", linear(weight: ".nan"), "recipe.yml:4:26: weight \(modelA) is nan, not a finite number"),
        ("weight .inf", linear(weight: ".inf"), "recipe.yml:4:26: weight \(modelA) is inf, not a finite number"),
        ("weight 1e309", linear(weight: "1e309"), "recipe.yml:4:26: weight \(modelA) is inf, not a finite number"),
        (
            "weight 1e308", linear(weight: "1e308"),
            "recipe.yml:4:26: weight \(modelA) is 1e+308, not finite in Float32"
        ),
        (
            "density .inf",
            """
            merge_method: ties
            base_model: Fixtures/models/llama-f32-base
            models:
              - model: Fixtures/models/llama-f32-a
                parameters: {weight: 1, density: .inf}

            """,
            "recipe.yml:5:38: density \(modelA) is inf, not a finite number"
        ),
        ("t .nan", slerp(t: ".nan"), "recipe.yml:6:6: t is nan, not a finite number"),
        ("t -.inf", slerp(t: "-.inf"), "recipe.yml:6:6: t is -inf, not a finite number"),
        ("t 1e308", slerp(t: "1e308"), "recipe.yml:6:6: t is 1e+308, not finite in Float32"),
        (
            "t 2^64", slerp(t: "18446744073709551616"),
            "recipe.yml:6:6: t is 1.8446744073709552e+19, outside [0, 1]"
        ),
        // Two layers sit at positions 0 and 1: only the end points are ever used.
        (
            "gradient point no layer reaches", linear(weight: "[0, .nan, 1]"),
            "recipe.yml:4:30: weight (point 2 of the gradient) \(modelA) is nan, not a finite number"
        ),
        (
            "filtered value no tensor matches", linear(weight: "[{filter: no_such_tensor, value: .nan}, {value: 1}]"),
            "recipe.yml:4:59: weight (filter 'no_such_tensor') \(modelA) is nan, not a finite number"
        ),
        (
            "della epsilon past density",
            """
            merge_method: della
            base_model: Fixtures/models/llama-f32-base
            models:
              - model: Fixtures/models/llama-f32-a
                parameters: {weight: 1, density: 0.5, epsilon: 0.6}

            """,
            "recipe.yml:5:52: della: epsilon \(modelA) is 0.6: density ± epsilon must stay inside (0, 1)"
        ),
    ]

    @Test(arguments: refusals.map(\.name))
    func refusesTheValueAtItsPlaceWithinASecondWritingNothing(name: String) throws {
        let refusal = try #require(Self.refusals.first { $0.name == name })
        let (folder, recipe) = try MergeCommandTests.recipeFile(refusal.recipe)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let started = Date()
        let result = try CommandRunner.run(["merge", recipe, folder + "/merged"])
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains(refusal.message), "\(result.standardError)")
        #expect(seconds < 1, "took \(seconds) s")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == before)
    }
}
