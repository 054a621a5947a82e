import Base
import Checkpoint

extension Planner {
    /// Output tensors in order: tensors before the layers (from the first
    /// slice), each slice's layers renumbered, then tensors after the layers
    /// (from the last slice) (REFERENCE.md, "Recipe semantics").
    func planTensors(slices: [Slice], baseIndex: Int?) throws -> [PlannedTensor] {
        var planned: [PlannedTensor] = []
        let outside = { (slice: Slice) -> [String] in
            var names: [String] = []
            for source in slice.sources {
                for name in modelTensors[source.model].namesOutsideLayers where !names.contains(name) {
                    names.append(name)
                }
            }
            return names
        }
        for name in outside(slices[0]) where LayerNames.isBeforeLayers(name) {
            planned.append(
                try planTensor(
                    name, sourceNames: slices[0].sources.map { _ in name }, slice: slices[0], position: 0,
                    baseIndex: baseIndex))
        }
        var outputLayer = 0
        var inputOfOutput: [String: String] = [:]
        for slice in slices {
            let reference = slice.sources.first { $0.model == baseIndex } ?? slice.sources[0]
            for offset in 0..<slice.layerCount {
                let position = slice.layerCount > 1 ? Double(offset) / Double(slice.layerCount - 1) : 1
                for name in modelTensors[reference.model].namesByLayer[reference.layers.lowerBound + offset] ?? [] {
                    let sourceNames = slice.sources.map {
                        LayerNames.renumbered(name, to: $0.layers.lowerBound + offset)
                    }
                    let tensor = try planTensor(
                        name, sourceNames: sourceNames, slice: slice, position: position, baseIndex: baseIndex)
                    let outputName = LayerNames.renumbered(name, to: outputLayer)
                    // `layers.01.` and `layers.1.` are one layer, and would be one output name.
                    if let other = inputOfOutput.updateValue(name, forKey: outputName) {
                        throw MergeError.duplicateOutput(
                            tensor: outputName, input: name, otherInput: other,
                            model: models[reference.model].reference.text)
                    }
                    planned.append(
                        PlannedTensor(
                            name: outputName, shape: tensor.shape, outputDType: tensor.outputDType, work: tensor.work))
                }
                outputLayer += 1
            }
        }
        for name in outside(slices[slices.count - 1]) where !LayerNames.isBeforeLayers(name) {
            planned.append(
                try planTensor(
                    name, sourceNames: slices[slices.count - 1].sources.map { _ in name },
                    slice: slices[slices.count - 1], position: 0, baseIndex: baseIndex))
        }
        return planned
    }

    /// The input tensor `name` of `model`; a missing `lm_head.weight` is
    /// stood in for by the model's tied input embedding.
    func source(_ name: String, model: Int) throws -> TensorSource {
        if let found = modelTensors[model].byName[name] { return found }
        if name.hasSuffix("lm_head.weight"), let embedding = modelTensors[model].tiedEmbedding { return embedding }
        throw MergeError.missingTensor(tensor: name, model: models[model].reference.text, path: models[model].path)
    }

    func planTensor(
        _ name: String, sourceNames: [String], slice: Slice, position: Double, baseIndex: Int?
    ) throws -> PlannedTensor {
        let inputs = try zip(slice.sources, sourceNames).map { try source($1, model: $0.model) }
        let reference = inputs[slice.sources.firstIndex { $0.model == baseIndex } ?? 0]
        let shape = reference.shape
        for (input, source) in zip(inputs, slice.sources) {
            guard input.shape == shape else {
                throw MergeError.shapeMismatch(
                    tensor: input.tensorName, model: models[source.model].reference.text, shape: input.shape,
                    otherModel: models[reference.modelIndex].reference.text, otherShape: shape)
            }
        }
        guard reference.dtype.isConvertibleFloat else {
            if !reference.dtype.isIntegerOrBool {
                throw MergeError.unsupported(
                    file: recipe.file, mark: nil,
                    feature: "merging tensor \"\(name)\" stored as \(reference.dtype.rawValue)")
            }
            return PlannedTensor(name: name, shape: shape, outputDType: reference.dtype, work: .copy(reference))
        }
        if let odd = inputs.first(where: { !$0.dtype.isConvertibleFloat }) {
            throw MergeError.dtypeMismatch(
                tensor: odd.tensorName, model: models[odd.modelIndex].reference.text, dtype: odd.dtype.rawValue,
                otherModel: models[reference.modelIndex].reference.text, otherDType: reference.dtype.rawValue)
        }
        let outputDType = recipe.outDType ?? recipe.dtype ?? reference.dtype
        let separatesBase = method.baseModelUse != .ignored && baseIndex != nil
        var base: TensorSource?
        var others: [(TensorSource, Source)] = []
        for (input, source) in zip(inputs, slice.sources) {
            if separatesBase, source.model == baseIndex { base = input } else { others.append((input, source)) }
        }
        let (context, marks) = try resolveContext(
            name: name, shape: shape.map { Int($0) }, others: others.map(\.1), slice: slice, position: position,
            hasBase: base != nil)
        if let problem = method.checkParameters(context) {
            throw parameterError(problem, context: context, marks: marks, others: others.map(\.1))
        }
        return PlannedTensor(
            name: name, shape: shape, outputDType: outputDType,
            work: .merge(method: method, context: context, base: base, models: others.map(\.0)))
    }

    /// Where each resolved value of one tensor was written (nil: a default).
    struct ResolvedMarks {
        var perModel: [String: [YAMLMark?]] = [:]
        var global: [String: YAMLMark] = [:]
    }

    /// A method's objection to the values resolved together for one tensor,
    /// placed at the value it names (else its model entry, else the method).
    func parameterError(
        _ problem: ParameterProblem, context: TensorContext, marks: ResolvedMarks, others: [Source]
    ) -> MergeError {
        var subject = problem.parameter
        var value = context.global(problem.parameter)
        var mark = marks.global[problem.parameter] ?? recipe.methodMark
        if let index = problem.modelIndex, index < others.count {
            subject += " of model '\(models[others[index].model].reference.text)'"
            value = context.perModel(problem.parameter)[index]
            mark = marks.perModel[problem.parameter]?[index] ?? others[index].mark
        }
        return .recipe(
            file: recipe.file, mark: mark,
            problem: "\(method.name): \(subject) is \(value): \(problem.problem) (tensor \"\(context.name)\")")
    }

    /// Parameters for one tensor: per-model ones from source, slice, top
    /// level; global ones from slice, top level; then defaults. Also where
    /// each value was written.
    func resolveContext(
        name: String, shape: [Int], others: [Source], slice: Slice, position: Double, hasBase: Bool
    ) throws -> (TensorContext, ResolvedMarks) {
        let resolver = ParameterResolver(recipeFile: recipe.file)
        var perModel: [String: [Double]] = [:]
        var global: [String: Double] = [:]
        var marks = ResolvedMarks()
        for definition in method.parameters {
            switch definition.scope {
            case .perModel:
                let numbers = try others.map { (source) throws -> ParameterNumber in
                    let levels = [source.parameters, slice.parameters, recipe.parameters]
                    if let number = try resolver.resolved(definition, levels: levels, name: name, position: position) {
                        return number
                    }
                    if let value = definition.defaultValue { return ParameterNumber(value, mark: nil) }
                    throw MergeError.recipe(
                        file: recipe.file, mark: source.mark,
                        problem:
                            "\(method.name) needs parameter '\(definition.name)' for model '\(models[source.model].reference.text)'"
                    )
                }
                perModel[definition.name] = numbers.map(\.value)
                marks.perModel[definition.name] = numbers.map(\.mark)
            case .global:
                let levels = [slice.parameters, recipe.parameters]
                let number = try resolver.resolved(definition, levels: levels, name: name, position: position)
                guard let value = number?.value ?? definition.defaultValue else {
                    throw MergeError.recipe(
                        file: recipe.file, mark: recipe.methodMark,
                        problem: "\(method.name) needs parameter '\(definition.name)'")
                }
                global[definition.name] = value
                marks.global[definition.name] = number?.mark
            }
        }
        let context = TensorContext(
            name: name, shape: shape, modelCount: others.count, hasBase: hasBase, perModel: perModel, global: global,
            seed: settings.seed)
        return (context, marks)
    }
}
