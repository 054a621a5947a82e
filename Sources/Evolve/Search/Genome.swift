import Base

/// The genome of a search: mergekit-evolve's `ModelGenome`
/// (mergekit/evo/genome.py). A genome is a flat vector of the 4-D array
/// [layer group][model][parameter set][parameter] in C order; parameter set
/// `s` belongs to `filters[s]`, the last set to every other tensor.
public struct Genome: Sendable {
    public let definition: GenomeDefinition
    /// `num_hidden_layers` of the models.
    public let layerCount: Int

    /// Checks that `layer_granularity` divides `layerCount`, the models'
    /// `num_hidden_layers` (the caller reads it from config.json).
    public init(definition: GenomeDefinition, layerCount: Int) throws(EvolveError) {
        let granularity = definition.layerGranularity
        guard layerCount >= 1, granularity <= 0 || layerCount % granularity == 0 else {
            throw .layerGranularity(granularity: granularity, layerCount: layerCount)
        }
        self.definition = definition
        self.layerCount = layerCount
    }

    /// Layers per group.
    public var layersPerGroup: Int { definition.layerGranularity > 0 ? definition.layerGranularity : layerCount }
    public var layerGroupCount: Int { layerCount / layersPerGroup }
    /// One set per filter, then the default set.
    public var parameterSetCount: Int { definition.filters.count + 1 }
    /// The searched parameters of the method, weight first.
    public var parameterNames: [String] {
        // checked: GenomeDefinition's reader accepts only the methods of this table.
        GenomeDefinition.parameterNamesByMethod.first { $0.method == definition.mergeMethod }?.parameters ?? ["weight"]
    }
    public var modelCount: Int { definition.models.count }
    public var dimension: Int { layerGroupCount * modelCount * parameterSetCount * parameterNames.count }

    /// The position of one value in the flat genome.
    public func index(group: Int, model: Int, set: Int, parameter: Int) -> Int {
        ((group * modelCount + model) * parameterSetCount + set) * parameterNames.count + parameter
    }

    /// The half-open layer range of group `group`.
    public func layerRange(group: Int) -> Range<Int> { group * layersPerGroup..<(group + 1) * layersPerGroup }

    /// mergekit's `initial_genotype(random: false)`: every weight
    /// 1 / model count, every other parameter 1 (DELLA's density: the top
    /// of its box).
    public func initialValues() -> [Double] {
        let weight = 1 / Double(modelCount)
        return (0..<dimension).map { $0 % parameterNames.count == 0 ? weight : densityBounds.upperBound }
    }

    /// Where a density may go: the planner refuses 0, and DELLA's
    /// density ± its ε (0.15) must stay inside (0, 1).
    var densityBounds: ClosedRange<Double> { definition.mergeMethod == "della" ? 0.16...0.84 : 0.01...1 }

    /// mergekit's `initial_genotype(random: true)`: uniform [0, 1) values,
    /// here drawn from `randomSeed` (`SeededRandom`) so a run can be repeated.
    public func initialValues(randomSeed: UInt64) -> [Double] {
        var random = SeededRandom(seed: randomSeed)
        return (0..<dimension).map { _ in random.nextUnit() }
    }

    /// The box CMA-ES mirrors into: weights in [0, 1] ([-1, 1] with
    /// `allow_negative_weights`), densities in `densityBounds`.
    public var lowerBounds: [Double] {
        let weightLower: Double = definition.allowNegativeWeights ? -1 : 0
        return (0..<dimension).map { $0 % parameterNames.count == 0 ? weightLower : densityBounds.lowerBound }
    }
    public var upperBounds: [Double] {
        (0..<dimension).map { $0 % parameterNames.count == 0 ? 1 : densityBounds.upperBound }
    }

    /// One column name per value, for the search history:
    /// `layers_0_9.expert-a.weight`, `layers_0_9.expert-a.self_attn.density`.
    public var valueNames: [String] {
        let models = modelNames
        var names: [String] = []
        names.reserveCapacity(dimension)
        for group in 0..<layerGroupCount {
            let range = layerRange(group: group)
            let groupName = "layers_\(range.lowerBound)_\(range.upperBound - 1)"
            for model in models {
                for set in 0..<parameterSetCount {
                    let filter = set < definition.filters.count ? "." + definition.filters[set] : ""
                    for parameter in parameterNames { names.append("\(groupName).\(model)\(filter).\(parameter)") }
                }
            }
        }
        return names
    }

    /// Each model's folder name; where two share one, each of those is
    /// prefixed with its index in `models` so the names stay unique.
    var modelNames: [String] {
        let names = definition.models.map(\.lastPathComponent)
        return names.enumerated().map { index, name in
            names.filter { $0 == name }.count > 1 ? "\(index)_\(name)" : name
        }
    }
}
