import Base
/// Evaluates recipe parameters for one tensor (REFERENCE.md, "Recipe
/// semantics"): levels are tried from the most specific; a filter list
/// whose filters all miss falls through to the next level; gradients are
/// interpolated at the tensor's relative layer position.
struct ParameterResolver {
    let recipeFile: String

    /// The value of `definition` at `levels` (most specific first) for
    /// tensor `name` at relative layer position `position` in [0, 1].
    func value(
        _ definition: ParameterDefinition, levels: [[ParameterSetting]], name: String, position: Double
    ) throws(MergeError) -> Double? {
        for level in levels {
            guard let setting = level.last(where: { $0.name == definition.name }) else { continue }
            if definition.isSingleValue, !Self.isSingle(setting.value) {
                throw .recipe(
                    file: recipeFile, mark: setting.mark,
                    problem: "parameter '\(definition.name)' must be a single value, not a gradient or a filter list")
            }
            if let value = Self.evaluate(setting.value, name: name, position: position) { return value }
        }
        return nil
    }

    private static func isSingle(_ value: ParameterValue) -> Bool {
        if case .number = value { return true }
        return false
    }

    static func evaluate(_ value: ParameterValue, name: String, position: Double) -> Double? {
        switch value {
        case .number(let number):
            return number
        case .gradient(let values):
            return interpolate(values, at: position)
        case .filtered(let entries):
            for entry in entries where entry.filter.map({ name.contains($0) }) ?? true {
                return evaluate(entry.value, name: name, position: position)
            }
            return nil
        }
    }

    /// mergekit's gradient: s = t·(len − 1), i₀ = ⌊s⌋, i₁ = min(len − 1, i₀ + 1),
    /// f = s − i₀, value (1 − f)·v[i₀] + f·v[i₁].
    static func interpolate(_ values: [Double], at position: Double) -> Double {
        guard values.count > 1 else { return values.first ?? 0 }
        let scaled = max(0, min(1, position)) * Double(values.count - 1)
        let lower = min(values.count - 1, Int(scaled.rounded(.down)))
        let upper = min(values.count - 1, lower + 1)
        let fraction = scaled - Double(lower)
        return (1 - fraction) * values[lower] + fraction * values[upper]
    }
}
