import Base
/// Evaluates recipe parameters for one tensor (REFERENCE.md, "Recipe
/// semantics"): levels are tried from the most specific; a filter list
/// whose filters all miss falls through to the next level; gradients are
/// interpolated at the tensor's relative layer position. Also checks every
/// number a setting holds against the parameter's bounds.
struct ParameterResolver {
    let recipeFile: String

    /// The value of `definition` at `levels` (most specific first) for
    /// tensor `name` at relative layer position `position` in [0, 1].
    func value(
        _ definition: ParameterDefinition, levels: [[ParameterSetting]], name: String, position: Double
    ) throws(MergeError) -> Double? {
        try resolved(definition, levels: levels, name: name, position: position)?.value
    }

    /// As `value`, with the place of the number it comes from.
    func resolved(
        _ definition: ParameterDefinition, levels: [[ParameterSetting]], name: String, position: Double
    ) throws(MergeError) -> ParameterNumber? {
        for level in levels {
            guard let setting = level.last(where: { $0.name == definition.name }) else { continue }
            try checkShape(setting, against: definition)
            if let value = Self.evaluate(setting.value, name: name, position: position) { return value }
        }
        return nil
    }

    /// Checks every number of `setting` (each gradient point, each
    /// filtered value, whether or not a tensor will use it) against
    /// `definition`: finite in Float32 and inside its bounds. The error
    /// points at the number's own text; `model` names the model a setting
    /// under a model entry belongs to.
    func check(
        _ setting: ParameterSetting, against definition: ParameterDefinition, model: String?
    ) throws(MergeError) {
        try checkShape(setting, against: definition)
        for (number, point, filter) in setting.value.numbers {
            guard let problem = definition.bounds.problem(with: number.value) else { continue }
            var subject = definition.name
            if let point { subject += " (point \(point + 1) of the gradient)" }
            if let filter { subject += " (filter '\(filter)')" }
            if let model { subject += " of model '\(model)'" }
            throw .recipe(
                file: recipeFile, mark: number.mark ?? setting.mark,
                problem: "\(subject) is \(number.value), \(problem)")
        }
    }

    private func checkShape(_ setting: ParameterSetting, against definition: ParameterDefinition) throws(MergeError) {
        guard definition.isSingleValue, !Self.isSingle(setting.value) else { return }
        throw .recipe(
            file: recipeFile, mark: setting.mark,
            problem: "parameter '\(definition.name)' must be a single value, not a gradient or a filter list")
    }

    private static func isSingle(_ value: ParameterValue) -> Bool {
        if case .number = value { return true }
        return false
    }

    static func evaluate(_ value: ParameterValue, name: String, position: Double) -> ParameterNumber? {
        switch value {
        case .number(let number):
            return number
        case .gradient(let points):
            return interpolate(points, at: position)
        case .filtered(let entries):
            for entry in entries where entry.filter.map({ name.contains($0) }) ?? true {
                return evaluate(entry.value, name: name, position: position)
            }
            return nil
        }
    }

    /// mergekit's gradient: s = t·(len − 1), i₀ = ⌊s⌋, i₁ = min(len − 1, i₀ + 1),
    /// f = s − i₀, value (1 − f)·v[i₀] + f·v[i₁]; placed at the nearer point.
    static func interpolate(_ points: [ParameterNumber], at position: Double) -> ParameterNumber {
        guard points.count > 1 else { return points.first ?? 0 }
        let scaled = max(0, min(1, position)) * Double(points.count - 1)
        let lower = min(points.count - 1, Int(scaled.rounded(.down)))
        let upper = min(points.count - 1, lower + 1)
        let fraction = scaled - Double(lower)
        return ParameterNumber(
            (1 - fraction) * points[lower].value + fraction * points[upper].value,
            mark: points[fraction < 0.5 ? lower : upper].mark)
    }

    static func interpolate(_ values: [Double], at position: Double) -> Double {
        interpolate(values.map { ParameterNumber($0, mark: nil) }, at: position).value
    }
}
