import Base

/// A decoder's weights held as Float32 arrays under their Hugging Face
/// names, for training: `lossAndGradients` runs the forward pass and its
/// backward over them. Runs the `llama` and `qwen2` architectures (tied or
/// untied head; q, k and v biases when the config says).
public struct TrainableModel: Sendable {
    public let config: ModelConfig
    /// Every parameter, by name; a tied model has no `lm_head.weight`.
    public internal(set) var parameters: [String: [Float]]
    let architecture: LlamaArchitecture

    /// The parameters' names and shapes, in the checkpoint's order of layers.
    public var parameterShapes: [(name: String, shape: [Int])] { Self.parameterShapes(config) }

    /// The parameters a llama or qwen2 config implies.
    public static func parameterShapes(_ config: ModelConfig) -> [(name: String, shape: [Int])] {
        let architecture = LlamaArchitecture(config: config)
        let hidden = config.hiddenSize
        var shapes = [(architecture.embeddingName, [config.vocabularySize, hidden])]
        for layer in 0..<config.layerCount {
            shapes += architecture.layerTensors(layer).map { ($0.name, $0.shape) }
        }
        shapes.append((architecture.finalNormName, [hidden]))
        if !config.isTiedEmbedding { shapes.append((architecture.headName, [config.vocabularySize, hidden])) }
        return shapes
    }

    /// Takes the tensors the config implies from `parameters`, checking
    /// each one's element count; other tensors are left out.
    public init(config: ModelConfig, parameters: [String: [Float]], model: String = "model") throws(ModelError) {
        guard config.kind != .gemma3 else { throw .untrainableArchitecture(model: model, kind: config.kind) }
        self.config = config
        architecture = LlamaArchitecture(config: config)
        var kept: [String: [Float]] = [:]
        for (name, shape) in Self.parameterShapes(config) {
            guard let values = parameters[name] else { throw .missingTensor(model: model, tensor: name) }
            guard values.count == shape.reduce(1, *) else {
                throw .shapeMismatch(model: model, tensor: name, expected: shape, found: [values.count])
            }
            kept[name] = values
        }
        self.parameters = kept
    }

    /// Decodes every parameter from `source` (shapes checked against the config).
    public init(config: ModelConfig, source: any LayerWeightSource) throws {
        guard config.kind != .gemma3 else {
            throw ModelError.untrainableArchitecture(model: source.name, kind: config.kind)
        }
        var parameters: [String: [Float]] = [:]
        for (name, shape) in Self.parameterShapes(config) {
            try source.check(name, shape: shape)
            let count = shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            try values.withUnsafeMutableBufferPointer { try source.decode(name, elements: 0..<count, into: $0) }
            parameters[name] = values
        }
        try self.init(config: config, parameters: parameters, model: source.name)
    }

    /// Opens a model folder or `.gguf` file as `LanguageModel.open` does.
    public static func open(path: String) throws -> TrainableModel {
        let model = try LanguageModel.open(path: path)
        return try TrainableModel(config: model.config, source: model.source)
    }
}
