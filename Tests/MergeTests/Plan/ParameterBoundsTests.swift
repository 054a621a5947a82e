import Base
import Testing
@testable import Merge

/// Every parameter of every method refuses numbers that are not finite in
/// Float32, and each method's ranges hold at their edges.
@Suite struct ParameterBoundsTests {
    static let resolver = ParameterResolver(recipeFile: "r.yml")
    static let mark = YAMLMark(line: 3, column: 7)

    static func isAccepted(_ definition: ParameterDefinition, _ value: ParameterValue) -> Bool {
        let setting = ParameterSetting(name: definition.name, value: value, mark: mark)
        return (try? resolver.check(setting, against: definition, model: nil)) != nil
    }

    static func definition(_ method: String, _ parameter: String) throws -> ParameterDefinition {
        let found = MethodRegistry.method(named: method)?.parameters.first { $0.name == parameter }
        return try #require(found, "\(method) has no parameter \(parameter)")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, 1e39, -1e39, 1e308])
    func everyParameterRefusesNumbersNotFiniteInFloat32(value: Double) {
        for method in MethodRegistry.methods {
            for definition in method.parameters {
                #expect(
                    !Self.isAccepted(definition, .number(ParameterNumber(value, mark: nil))),
                    "\(method.name) \(definition.name)")
                if let defaultValue = definition.defaultValue {
                    #expect(
                        Self.isAccepted(definition, .number(ParameterNumber(defaultValue, mark: nil))),
                        "\(method.name) \(definition.name) default")
                }
            }
        }
    }

    static let edges: [(method: String, parameter: String, value: Double, isAccepted: Bool)] = [
        ("slerp", "t", 0, true), ("slerp", "t", 1, true), ("slerp", "t", -0.001, false), ("slerp", "t", 1.001, false),
        ("nearswap", "t", 0, false), ("nearswap", "t", 1e-9, true), ("nearswap", "t", 1e30, true),
        ("ties", "density", 0, false), ("ties", "density", 1, true), ("dare_ties", "density", 1.5, false),
        ("breadcrumbs", "gamma", 0, true), ("breadcrumbs", "gamma", 1, false),
        ("della", "epsilon", -0.1, false), ("della", "epsilon", 0.49, true),
        ("sce", "select_topk", 0, true), ("sce", "select_topk", 1.01, false),
        ("karcher", "max_iter", -1, false), ("karcher", "tol", -1e-9, false), ("multislerp", "eps", -1e-9, false),
        ("multislerp", "eps", 0, false), ("karcher", "tol", 0, true),
        ("linear", "weight", -2, true), ("task_arithmetic", "lambda", -1, true),
        ("passthrough", "scale", -3e38, true), ("linear", "weight", 3.4028235e38, true),
    ]

    @Test(arguments: edges.indices)
    func rangesHoldAtTheirEdges(index: Int) throws {
        let edge = Self.edges[index]
        let definition = try Self.definition(edge.method, edge.parameter)
        #expect(
            Self.isAccepted(definition, .number(ParameterNumber(edge.value, mark: nil))) == edge.isAccepted, "\(edge)")
    }

    @Test func aBadGradientPointIsPlacedAtItsOwnText() throws {
        let pointMark = YAMLMark(line: 3, column: 15)
        let gradient = ParameterValue.gradient([0, ParameterNumber(.nan, mark: pointMark), 1])
        let setting = ParameterSetting(name: "weight", value: gradient, mark: Self.mark)
        let definition = try Self.definition("linear", "weight")
        #expect(
            throws: MergeError.recipe(
                file: "r.yml", mark: pointMark,
                problem: "weight (point 2 of the gradient) of model 'a' is nan, not a finite number")
        ) {
            try Self.resolver.check(setting, against: definition, model: "a")
        }
    }

    @Test func aFilteredValueIsCheckedWhateverItsFilter() throws {
        let filtered = ParameterValue.filtered([
            FilteredValue(filter: "no_such_tensor", value: .number(2)), FilteredValue(filter: nil, value: .number(0.5)),
        ])
        #expect(!Self.isAccepted(try Self.definition("ties", "density"), filtered))
    }
}
