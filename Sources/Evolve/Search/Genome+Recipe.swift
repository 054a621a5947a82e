import Base

extension Genome {
    /// The mergekit recipe of a genome, as mergekit-evolve's
    /// `genotype_merge_config` makes it: density = clamp(|v|, 0, 1),
    /// weight = |v| unless negative weights are allowed; one slice per
    /// layer group, or with `smooth` one gradient per model over the
    /// groups. Numbers are written so they read back exactly.
    public func recipe(_ values: [Double]) throws(EvolveError) -> String {
        guard values.count == dimension else { throw .genomeLength(expected: dimension, found: values.count) }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteGenomeValue(name: valueNames[bad], index: bad, value: values[bad])
        }
        var lines = ["merge_method: " + definition.mergeMethod]
        if let base = definition.baseModel { lines.append("base_model: " + RecipeText.string(base)) }
        lines += [
            "parameters:",
            "  normalize: \(definition.normalizes)",
            "  int8_mask: true",
            "dtype: bfloat16",
        ]
        lines += definition.smooth ? smoothModels(values) : slices(values)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A genome value as the merge reads it.
    func parameterValue(_ values: [Double], group: Int, model: Int, set: Int, parameter: Int) -> Double {
        let value = values[index(group: group, model: model, set: set, parameter: parameter)]
        if parameterNames[parameter] == "density" { return min(max(abs(value), 0), 1) }
        return definition.allowNegativeWeights ? value : abs(value)
    }

    /// The base model as an extra source, when it is not searched itself.
    private var extraBase: String? {
        definition.baseModel.flatMap { definition.models.contains($0) ? nil : $0 }
    }

    /// mergekit's `_discrete_config_slices`.
    private func slices(_ values: [Double]) -> [String] {
        var lines = ["slices:"]
        for group in 0..<layerGroupCount {
            let range = layerRange(group: group)
            let layerRangeText = "layer_range: [\(range.lowerBound), \(range.upperBound)]"
            lines.append("  - sources:")
            for (model, path) in definition.models.enumerated() {
                lines += [
                    "      - model: " + RecipeText.string(path), "        " + layerRangeText, "        parameters:",
                ]
                for parameter in parameterNames.indices {
                    let numbers = (0..<parameterSetCount).map { set in
                        RecipeText.number(
                            parameterValue(values, group: group, model: model, set: set, parameter: parameter))
                    }
                    lines += parameterLines(parameterNames[parameter], numbers, indent: "          ")
                }
            }
            if let base = extraBase {
                lines += ["      - model: " + RecipeText.string(base), "        " + layerRangeText]
            }
        }
        return lines
    }

    /// mergekit's `_smooth_config_models`: a gradient over the layer groups
    /// (a single number when there is one group).
    private func smoothModels(_ values: [Double]) -> [String] {
        var lines = ["models:"]
        for (model, path) in definition.models.enumerated() {
            lines += ["  - model: " + RecipeText.string(path), "    parameters:"]
            for parameter in parameterNames.indices {
                let gradients = (0..<parameterSetCount).map { set in
                    let points = (0..<layerGroupCount).map { group in
                        RecipeText.number(
                            parameterValue(values, group: group, model: model, set: set, parameter: parameter))
                    }
                    return points.count == 1 ? points[0] : "[" + points.joined(separator: ", ") + "]"
                }
                lines += parameterLines(parameterNames[parameter], gradients, indent: "      ")
            }
        }
        if let base = extraBase { lines.append("  - model: " + RecipeText.string(base)) }
        return lines
    }

    /// `name: value` without filters, else one `{filter, value}` entry per
    /// filter and a last `{value}` for every other tensor.
    private func parameterLines(_ name: String, _ valueTexts: [String], indent: String) -> [String] {
        guard valueTexts.count > 1 else { return [indent + name + ": " + valueTexts[0]] }
        var lines = [indent + name + ":"]
        for (set, text) in valueTexts.enumerated() {
            let filter =
                set < definition.filters.count ? "filter: " + RecipeText.string(definition.filters[set]) + ", " : ""
            lines.append(indent + "  - {" + filter + "value: " + text + "}")
        }
        return lines
    }
}
