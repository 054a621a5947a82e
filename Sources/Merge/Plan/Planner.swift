import Base
import Checkpoint

/// Turns a recipe and its inputs into a complete `MergePlan` (DESIGN.md,
/// "Data flow of a merge"), refusing anything that does not fit together
/// before a byte is written.
public struct Planner {
    let recipe: Recipe
    let settings: PlanSettings
    let method: any MergeMethod
    var warnings: [String]
    var models: [ResolvedModel] = []
    var modelTensors: [ModelTensors] = []

    /// One source of a slice, resolved: model index and layer range.
    struct Source {
        let model: Int
        let layers: Range<Int>
        let parameters: [ParameterSetting]
        let mark: YAMLMark
    }

    struct Slice {
        let sources: [Source]
        let parameters: [ParameterSetting]
        let mark: YAMLMark
        var layerCount: Int { sources[0].layers.count }
    }

    public static func plan(
        _ recipe: Recipe, settings: PlanSettings = PlanSettings(), environment: [String: String]? = nil
    ) throws -> MergePlan {
        guard let method = MethodRegistry.method(named: recipe.method) else {
            throw MergeError.recipe(
                file: recipe.file, mark: recipe.methodMark,
                problem: "unknown merge_method '\(recipe.method)'"
                    + suggestionSuffix(recipe.method, among: MethodRegistry.names))
        }
        var planner = Planner(recipe: recipe, settings: settings, method: method, warnings: recipe.warnings)
        try planner.checkParameterNames()
        try planner.checkParameterValues()
        let resolver =
            environment.map { ModelResolver(recipeFile: recipe.file, environment: $0) }
            ?? ModelResolver(recipeFile: recipe.file)
        let baseIndex = try recipe.baseModel.map { try planner.addModel($0, resolver: resolver) }
        let slices = try planner.resolveSlices(resolver: resolver, baseIndex: baseIndex)
        let tensors = try planner.planTensors(slices: slices, baseIndex: baseIndex)
        let referenceModel = baseIndex ?? slices[0].sources[0].model
        let config = try planner.outputConfig(
            reference: planner.models[referenceModel], layerCount: slices.reduce(0) { $0 + $1.layerCount },
            tensors: tensors)
        return MergePlan(
            recipe: recipe, method: method, settings: settings, models: planner.models, baseModelIndex: baseIndex,
            tensors: tensors, config: config,
            copiedFiles: try planner.copiedFiles(from: planner.models[referenceModel]),
            warnings: planner.warnings)
    }

    /// Opens a model once, however often the recipe names it.
    mutating func addModel(_ reference: ModelReference, resolver: ModelResolver) throws -> Int {
        if let index = models.firstIndex(where: { $0.reference == reference }) { return index }
        let model = try resolver.resolve(reference)
        let tensors = try ModelTensors(model.checkpoint, modelIndex: models.count, model: reference.text)
        try checkConfigLayerCount(of: model, tensorLayers: tensors.layerCount)
        models.append(model)
        modelTensors.append(tensors)
        return models.count - 1
    }

    /// Unknown names are errors (with a suggestion); names another method
    /// reads are warnings, as in mergekit (REFERENCE.md).
    mutating func checkParameterNames() throws {
        let known = MethodRegistry.parameterNames
        let used = Set(method.parameters.map(\.name))
        let settings = recipe.parameters + recipe.slices.flatMap { $0.parameters + $0.sources.flatMap(\.parameters) }
        for setting in settings {
            if !known.contains(setting.name) {
                throw MergeError.recipe(
                    file: recipe.file, mark: setting.mark,
                    problem: "unknown parameter '\(setting.name)'"
                        + suggestionSuffix(setting.name, among: Array(known).sorted()))
            }
            if !used.contains(setting.name) {
                warnings.append(
                    "\(recipe.file):\(setting.mark.line):\(setting.mark.column): parameter '\(setting.name)' is not used by \(method.name); ignored"
                )
            }
        }
    }

    /// Every number given for a parameter the method reads, at every level,
    /// must be allowed by its definition, before a model is opened: a bad
    /// gradient point is refused even where no layer would reach it.
    func checkParameterValues() throws {
        let resolver = ParameterResolver(recipeFile: recipe.file)
        let levels =
            [(recipe.parameters, nil)]
            + recipe.slices.flatMap { slice in
                [(slice.parameters, nil)] + slice.sources.map { ($0.parameters, $0.model.text) }
            }
        for (settings, model) in levels {
            for setting in settings {
                guard let definition = method.parameters.first(where: { $0.name == setting.name }) else { continue }
                try resolver.check(setting, against: definition, model: definition.scope == .perModel ? model : nil)
            }
        }
    }

    func layerCount(of model: Int) -> Int { modelTensors[model].layerCount }

    mutating func resolveSlices(resolver: ModelResolver, baseIndex: Int?) throws -> [Slice] {
        var slices: [Slice] = []
        for recipeSlice in recipe.slices {
            var sources: [Source] = []
            for source in recipeSlice.sources {
                let model = try addModel(source.model, resolver: resolver)
                let layers = source.layerRange ?? 0..<layerCount(of: model)
                if layers.upperBound > layerCount(of: model) {
                    throw MergeError.recipe(
                        file: recipe.file, mark: source.layerRangeMark ?? source.model.mark,
                        problem:
                            "layer_range [\(layers.lowerBound), \(layers.upperBound)) goes past the \(layerCount(of: model)) layers of '\(source.model.text)'"
                    )
                }
                sources.append(
                    Source(model: model, layers: layers, parameters: source.parameters, mark: source.model.mark))
            }
            if let baseIndex, !recipe.isSliced, !sources.contains(where: { $0.model == baseIndex }) {
                sources.append(
                    Source(
                        model: baseIndex, layers: 0..<layerCount(of: baseIndex), parameters: [],
                        mark: models[baseIndex].reference.mark))
            }
            if let mismatch = sources.first(where: { $0.layers.count != sources[0].layers.count }) {
                throw MergeError.recipe(
                    file: recipe.file, mark: mismatch.mark,
                    problem:
                        "every source of a slice must span the same number of layers: \(sources[0].layers.count) for '\(models[sources[0].model].reference.text)', \(mismatch.layers.count) for '\(models[mismatch.model].reference.text)'"
                )
            }
            let hasBase = baseIndex.map { base in sources.contains { $0.model == base } } ?? false
            let others = sources.filter { method.baseModelUse == .ignored || $0.model != baseIndex }.count
            if method.baseModelUse == .required, !hasBase {
                let problem =
                    recipe.baseModel == nil
                    ? "\(method.name) needs a base_model"
                    : "\(method.name) needs the base_model among the sources of every slice"
                throw MergeError.recipe(
                    file: recipe.file, mark: recipe.baseModel?.mark ?? recipe.methodMark, problem: problem)
            }
            if let problem = method.checkModelCount(others, hasBase: hasBase && method.baseModelUse != .ignored) {
                throw MergeError.recipe(
                    file: recipe.file, mark: recipe.isSliced ? recipeSlice.mark : recipe.methodMark,
                    problem: "\(method.name) \(problem)")
            }
            slices.append(Slice(sources: sources, parameters: recipeSlice.parameters, mark: recipeSlice.mark))
        }
        return slices
    }
}
