import Base
import Checkpoint

extension Recipe {
    static let topLevelKeys = [
        "merge_method", "models", "slices", "base_model", "parameters", "dtype", "out_dtype",
        "tokenizer_source", "tokenizer", "chat_template", "name",
    ]

    /// Reads a recipe from YAML text. Every error names the file, line and
    /// column; things mergekit would accept but Smelt ignores become
    /// warnings.
    public init(yaml bytes: [UInt8], file: String) throws(MergeError) {
        let root: YAMLNode
        do { root = try YAMLDocument.parse(bytes, file: file) } catch {
            throw .recipe(file: file, mark: error.mark, problem: error.problem)
        }
        var reader = RecipeReader(file: file)
        let entries = try reader.mapping(root, what: "the recipe")
        for entry in entries where !Self.topLevelKeys.contains(entry.key) {
            throw reader.error(
                entry.keyMark, "unknown key '\(entry.key)'" + suggestionSuffix(entry.key, among: Self.topLevelKeys))
        }
        let find = { (key: String) in entries.first { $0.key == key } }
        guard let methodEntry = find("merge_method") else {
            throw reader.error(root.mark, "the recipe has no 'merge_method'")
        }
        method = try reader.string(methodEntry.value, what: "merge_method")
        methodMark = methodEntry.value.mark
        baseModel = try find("base_model").flatMap { (entry) throws(MergeError) in
            entry.value.isNull ? nil : try reader.modelReference(entry.value)
        }
        parameters =
            try find("parameters").map { (entry) throws(MergeError) in try reader.parameters(entry.value) } ?? []
        dtype = try find("dtype").map { (entry) throws(MergeError) in try reader.dtype(entry.value) }
        outDType = try find("out_dtype").map { (entry) throws(MergeError) in try reader.dtype(entry.value) }
        try reader.checkTokenizer(source: find("tokenizer_source")?.value, section: find("tokenizer")?.value)
        if let template = find("chat_template") {
            reader.warnings.append(
                "\(file):\(template.keyMark.line):\(template.keyMark.column): chat_template is ignored; the base model's tokenizer files are copied as they are"
            )
        }
        switch (find("models"), find("slices")) {
        case (let models?, nil):
            isSliced = false
            let sources = try reader.sequence(models.value, what: "models").map { (node) throws(MergeError) in
                try reader.source(node, allowsLayerRange: false)
            }
            guard !sources.isEmpty else { throw reader.error(models.value.mark, "'models' is empty") }
            slices = [RecipeSlice(sources: sources, parameters: [], mark: models.value.mark)]
        case (nil, let sliceEntry?):
            isSliced = true
            slices = try reader.sequence(sliceEntry.value, what: "slices").map { (node) throws(MergeError) in
                try reader.slice(node)
            }
            guard !slices.isEmpty else { throw reader.error(sliceEntry.value.mark, "'slices' is empty") }
        case (_?, let sliceEntry?):
            throw reader.error(sliceEntry.keyMark, "give either 'models' or 'slices', not both")
        case (nil, nil):
            throw reader.error(root.mark, "the recipe has neither 'models' nor 'slices'")
        }
        self.file = file
        text = String(decoding: bytes, as: UTF8.self)
        warnings = reader.warnings
    }
}

/// The recipe schema, one YAML node at a time.
struct RecipeReader {
    let file: String
    var warnings: [String] = []

    init(file: String) { self.file = file }

    func error(_ mark: YAMLMark?, _ problem: String) -> MergeError { .recipe(file: file, mark: mark, problem: problem) }

    func mapping(_ node: YAMLNode, what: String) throws(MergeError) -> [YAMLMappingEntry] {
        guard case .mapping(let entries) = node.value else {
            throw error(node.mark, "\(what) must be a mapping, not \(node.describeKind())")
        }
        return entries
    }

    func sequence(_ node: YAMLNode, what: String) throws(MergeError) -> [YAMLNode] {
        guard case .sequence(let items) = node.value else {
            throw error(node.mark, "'\(what)' must be a list, not \(node.describeKind())")
        }
        return items
    }

    func string(_ node: YAMLNode, what: String) throws(MergeError) -> String {
        guard case .scalar(let text, _) = node.value, !node.isNull else {
            throw error(node.mark, "'\(what)' must be a string, not \(node.describeKind())")
        }
        return text
    }

    func modelReference(_ node: YAMLNode) throws(MergeError) -> ModelReference {
        let text = try string(node, what: "model")
        guard !text.isEmpty else { throw error(node.mark, "the model name is empty") }
        if text.contains("+") {
            throw .unsupported(file: file, mark: node.mark, feature: "a 'model+lora' reference ('\(text)')")
        }
        return ModelReference(text: text, mark: node.mark)
    }

    func dtype(_ node: YAMLNode) throws(MergeError) -> DType {
        let names: [String: DType] = [
            "float32": .f32, "fp32": .f32, "float": .f32, "float16": .f16, "fp16": .f16,
            "half": .f16, "bfloat16": .bf16, "bf16": .bf16, "float64": .f64,
        ]
        let text = try string(node, what: "dtype")
        guard let dtype = names[text.lowercased()] else {
            throw error(
                node.mark,
                "unknown dtype '\(text)'" + suggestionSuffix(text, among: ["float32", "float16", "bfloat16"]))
        }
        return dtype
    }

    mutating func checkTokenizer(source: YAMLNode?, section: YAMLNode?) throws(MergeError) {
        if let source, !source.isNull {
            let text = try string(source, what: "tokenizer_source")
            guard text == "base" else {
                throw .unsupported(
                    file: file, mark: source.mark,
                    feature: "tokenizer_source '\(text)' (tokenizer surgery; only 'base' is)")
            }
        }
        if let section {
            for entry in try mapping(section, what: "'tokenizer'") {
                if entry.key == "source", let text = entry.value.stringValue, text == "base" { continue }
                throw .unsupported(
                    file: file, mark: entry.keyMark,
                    feature: "tokenizer '\(entry.key)' settings (tokenizer surgery; only 'source: base' is)")
            }
        }
    }

    func source(_ node: YAMLNode, allowsLayerRange: Bool) throws(MergeError) -> SliceSource {
        var model: ModelReference?
        var layerRange: Range<Int>?
        var layerRangeMark: YAMLMark?
        var parameters: [ParameterSetting] = []
        let keys = allowsLayerRange ? ["model", "layer_range", "parameters"] : ["model", "parameters"]
        for entry in try mapping(node, what: "a model entry") {
            switch entry.key {
            case "model": model = try modelReference(entry.value)
            case "parameters": parameters = try self.parameters(entry.value)
            case "layer_range" where allowsLayerRange:
                layerRange = try self.layerRange(entry.value)
                layerRangeMark = entry.value.mark
            default:
                throw error(
                    entry.keyMark,
                    "unknown key '\(entry.key)' in a model entry" + suggestionSuffix(entry.key, among: keys))
            }
        }
        guard let model else { throw error(node.mark, "a model entry needs 'model'") }
        return SliceSource(model: model, layerRange: layerRange, layerRangeMark: layerRangeMark, parameters: parameters)
    }

    func layerRange(_ node: YAMLNode) throws(MergeError) -> Range<Int> {
        let items = try sequence(node, what: "layer_range")
        let bounds = items.compactMap { $0.numberValue }.compactMap {
            $0 == $0.rounded() && $0 >= 0 && $0 < 1e9 ? Int($0) : nil
        }
        guard items.count == 2, bounds.count == 2 else {
            throw error(node.mark, "'layer_range' must be two whole numbers [first, end)")
        }
        guard bounds[0] < bounds[1] else {
            throw error(node.mark, "'layer_range' [\(bounds[0]), \(bounds[1])] is empty; the end is exclusive")
        }
        return bounds[0]..<bounds[1]
    }

    func slice(_ node: YAMLNode) throws(MergeError) -> RecipeSlice {
        var sources: [SliceSource] = []
        var parameters: [ParameterSetting] = []
        for entry in try mapping(node, what: "a slice") {
            switch entry.key {
            case "sources":
                sources = try sequence(entry.value, what: "sources").map { (item) throws(MergeError) in
                    try source(item, allowsLayerRange: true)
                }
            case "parameters": parameters = try self.parameters(entry.value)
            default:
                throw error(
                    entry.keyMark,
                    "unknown key '\(entry.key)' in a slice"
                        + suggestionSuffix(entry.key, among: ["sources", "parameters"]))
            }
        }
        guard !sources.isEmpty else { throw error(node.mark, "a slice needs at least one source") }
        return RecipeSlice(sources: sources, parameters: parameters, mark: node.mark)
    }

    func parameters(_ node: YAMLNode) throws(MergeError) -> [ParameterSetting] {
        if node.isNull { return [] }
        return try mapping(node, what: "'parameters'").map { (entry) throws(MergeError) in
            ParameterSetting(
                name: entry.key, value: try parameterValue(entry.value, name: entry.key), mark: entry.keyMark)
        }
    }

    func parameterValue(_ node: YAMLNode, name: String) throws(MergeError) -> ParameterValue {
        if let number = node.numberValue { return .number(ParameterNumber(number, mark: node.mark)) }
        if let flag = node.boolValue { return .number(ParameterNumber(flag ? 1 : 0, mark: node.mark)) }
        guard case .sequence(let items) = node.value, !items.isEmpty else {
            throw error(
                node.mark,
                "parameter '\(name)' must be a number, a list of numbers (a gradient) or a list of {filter, value}, not \(node.describeKind())"
            )
        }
        if case .mapping = items[0].value {
            return .filtered(try items.map { (item) throws(MergeError) in try filteredValue(item, name: name) })
        }
        let numbers = items.compactMap { item in item.numberValue.map { ParameterNumber($0, mark: item.mark) } }
        guard numbers.count == items.count else {
            let bad = items.first { $0.numberValue == nil } ?? node
            throw error(bad.mark, "gradient '\(name)' must list only numbers, not \(bad.describeKind())")
        }
        return .gradient(numbers)
    }

    func filteredValue(_ node: YAMLNode, name: String) throws(MergeError) -> FilteredValue {
        var filter: String?
        var value: ParameterValue?
        for entry in try mapping(node, what: "a filtered value of '\(name)'") {
            switch entry.key {
            case "filter": filter = try string(entry.value, what: "filter")
            case "value": value = try parameterValue(entry.value, name: name)
            default:
                throw error(
                    entry.keyMark,
                    "unknown key '\(entry.key)' in a filtered value"
                        + suggestionSuffix(entry.key, among: ["filter", "value"]))
            }
        }
        guard let value else { throw error(node.mark, "a filtered value of '\(name)' needs 'value'") }
        return FilteredValue(filter: filter == "*" ? nil : filter, value: value)
    }
}
