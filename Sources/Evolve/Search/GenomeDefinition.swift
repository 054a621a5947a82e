import Base
import Merge

/// The `genome` section of a search file: mergekit-evolve's
/// `ModelGenomeDefinition` (mergekit/evo/genome.py), with model paths made
/// absolute.
public struct GenomeDefinition: Sendable, Equatable {
    /// The models whose weights are searched, absolute paths.
    public let models: [String]
    /// The base model of the task-vector methods, an absolute path.
    public let baseModel: String?
    public let mergeMethod: String
    /// Layers per group; 0 makes one group of every layer.
    public let layerGranularity: Int
    /// nil: mergekit's default (true for ties, dare_ties and linear).
    public let normalize: Bool?
    public let allowNegativeWeights: Bool
    /// Whether values are gradients over the layer groups (`models:`)
    /// rather than one slice per group.
    public let smooth: Bool
    /// Tensor name filters, each with its own parameter set, before the
    /// default set.
    public let filters: [String]

    /// Makes a definition; paths are taken as given.
    public init(
        models: [String], baseModel: String?, mergeMethod: String, layerGranularity: Int = 0,
        normalize: Bool? = nil, allowNegativeWeights: Bool = false, smooth: Bool = false, filters: [String] = []
    ) {
        self.models = models
        self.baseModel = baseModel
        self.mergeMethod = mergeMethod
        self.layerGranularity = layerGranularity
        self.normalize = normalize
        self.allowNegativeWeights = allowNegativeWeights
        self.smooth = smooth
        self.filters = filters
    }

    /// The searched parameters of each method, weight first (mergekit's
    /// `METHOD_PARAM_MAPS`; dare_linear, breadcrumbs_ties and della are
    /// Smelt's extension with the same two genes).
    public static let parameterNamesByMethod: [(method: String, parameters: [String])] = [
        ("linear", ["weight"]),
        ("task_arithmetic", ["weight"]),
        ("ties", ["weight", "density"]),
        ("dare_ties", ["weight", "density"]),
        ("dare_linear", ["weight", "density"]),
        ("breadcrumbs_ties", ["weight", "density"]),
        ("della", ["weight", "density"]),
    ]

    /// The methods smelt evolve searches, in mergekit's order.
    public static var supportedMethods: [String] { parameterNamesByMethod.map(\.method) }

    /// Every method but linear merges task vectors against a base model.
    public static func methodNeedsBaseModel(_ method: String) -> Bool { method != "linear" }

    /// The effective `normalize`: as given, else mergekit's default.
    public var normalizes: Bool { normalize ?? ["ties", "dare_ties", "linear"].contains(mergeMethod) }
}

extension GenomeDefinition {
    static let keys = [
        "models", "base_model", "merge_method", "layer_granularity", "normalize", "allow_negative_weights", "smooth",
        "filters",
    ]

    /// Reads the `genome` section.
    init(_ node: YAMLNode, reader: SearchReader) throws(EvolveError) {
        let refusals = [
            "tokenizer_source":
                "'tokenizer_source' is not supported by smelt evolve: every candidate keeps the models' shared"
                + " tokenizer; remove the key"
        ]
        let entries = try reader.mapping(node, what: "'genome'", keys: Self.keys, refusals: refusals)
        let find = { (key: String) in entries.first { $0.key == key } }
        guard let methodEntry = find("merge_method") else {
            throw reader.error(node.mark, "'genome' has no 'merge_method'")
        }
        let method = try reader.string(methodEntry.value, what: "merge_method")
        try Self.checkMethod(method, at: methodEntry.value.mark, reader: reader)
        guard let modelsEntry = find("models") else { throw reader.error(node.mark, "'genome' has no 'models'") }
        let modelNodes = try reader.sequence(modelsEntry.value, what: "models")
        guard !modelNodes.isEmpty else { throw reader.error(modelsEntry.value.mark, "'models' is empty") }
        var models: [String] = []
        for modelNode in modelNodes {
            let path = try Self.modelPath(modelNode, what: "models", reader: reader)
            if models.contains(path) {
                throw reader.error(modelNode.mark, "model '\(path)' is listed twice in 'models'")
            }
            models.append(path)
        }
        let base = try find("base_model").flatMap { (entry) throws(EvolveError) in
            entry.value.isNull ? nil : try Self.modelPath(entry.value, what: "base_model", reader: reader)
        }
        if base == nil, Self.methodNeedsBaseModel(method) {
            throw reader.error(
                find("base_model")?.value.mark ?? node.mark, "merge_method '\(method)' needs a 'base_model'")
        }
        var filters: [String] = []
        if let entry = find("filters"), !entry.value.isNull {
            for item in try reader.sequence(entry.value, what: "filters") {
                let filter = try reader.string(item, what: "filters")
                guard !filters.contains(filter) else {
                    throw reader.error(item.mark, "filter '\(filter)' is listed twice")
                }
                filters.append(filter)
            }
        }
        let flag = { (key: String) throws(EvolveError) -> Bool? in
            guard let entry = find(key), !entry.value.isNull else { return nil }
            return try reader.bool(entry.value, what: key)
        }
        self.init(
            models: models, baseModel: base, mergeMethod: method,
            layerGranularity: try find("layer_granularity").map { (entry) throws(EvolveError) in
                try reader.wholeNumber(entry.value, what: "layer_granularity", minimum: 0)
            } ?? 0,
            normalize: try flag("normalize"), allowNegativeWeights: try flag("allow_negative_weights") ?? false,
            smooth: try flag("smooth") ?? false, filters: filters)
    }

    private static func checkMethod(_ method: String, at mark: YAMLMark, reader: SearchReader) throws(EvolveError) {
        guard !supportedMethods.contains(method) else { return }
        if method == "slerp" {
            throw .unsupported(file: reader.file, mark: mark, feature: "merge_method 'slerp'")
        }
        throw reader.error(
            mark,
            "unknown merge_method '\(method)'" + suggestionSuffix(method, among: supportedMethods)
                + "; smelt evolve searches " + supportedMethods.joined(separator: ", "))
    }

    private static func modelPath(_ node: YAMLNode, what: String, reader: SearchReader) throws(EvolveError) -> String {
        let text = try reader.string(node, what: what)
        if text.contains("+") {
            throw .unsupported(file: reader.file, mark: node.mark, feature: "a 'model+lora' reference ('\(text)')")
        }
        return try reader.path(node, what: what)
    }
}
