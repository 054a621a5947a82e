import Base

/// One output tensor of a conversion: its name, the GGUF tensor it is
/// made from, its row-major shape, transform and output dtype.
public struct ConvertedTensor: Sendable, Equatable {
    public let name: String
    /// The source's index in the GGUF file's tensor infos.
    public let sourceIndex: Int
    public let sourceName: String
    public let shape: [Int]
    public let transform: TensorTransform
    public let dtype: DType

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: UInt64 { UInt64(elementCount) * UInt64(dtype.bitsPerElement / 8) }
    var outputTensor: OutputTensor { OutputTensor(name: name, dtype: dtype, shape: shape.map { UInt64($0) }) }
}

/// A small file of the output folder, made from the GGUF's metadata.
public struct ConversionFile: Sendable, Equatable {
    public let name: String
    public let bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// Everything a conversion will write, known before any tensor is read:
/// the output tensors in GGUF file order (so the input is read front to
/// back), `config.json` and `generation_config.json`, and the warnings.
public struct GGUFConversionPlan: Sendable {
    /// `general.architecture`, or nil for a conversion under GGUF names.
    public let architecture: String?
    public let dtype: DType
    public let shardSizeLimit: UInt64
    public let tensors: [ConvertedTensor]
    public let files: [ConversionFile]
    public let warnings: [String]

    /// Plans the conversion of `file`. With `rawNames` every tensor keeps
    /// its GGUF name and values, whatever the architecture; otherwise the
    /// architecture must be one Smelt converts, every tensor it needs must
    /// be there with the shape its metadata implies, and no other tensor
    /// may be (except those transformers drops, with a warning).
    public init(file: GGUFFile, dtype: DType, rawNames: Bool, shardSizeLimit: UInt64) throws {
        self.dtype = dtype
        self.shardSizeLimit = shardSizeLimit
        let infos = file.tensorInfos
        for (index, info) in infos.enumerated() where !info.isDecodable {
            throw GGUFError(
                file: file.path, offset: file.fileRange(ofTensor: index).lowerBound,
                problem: .notSupportedYet(tensor: info.name, type: file.header.tensors[index].type))
        }
        if rawNames {
            architecture = nil
            tensors = infos.enumerated().map { index, info in
                ConvertedTensor(
                    name: info.name, sourceIndex: index, sourceName: info.name, shape: info.shape, transform: .none,
                    dtype: dtype)
            }
            files = []
            warnings = []
            return
        }
        let reader = GGUFMetadataReader(metadata: file.header.metadata, file: file.path)
        guard let name = try reader.optionalString("general.architecture") else {
            throw ConvertError.missingMetadata(file: file.path, key: "general.architecture")
        }
        guard let kind = GGUFArchitectures.named(name) else {
            throw ConvertError.unknownArchitecture(file: file.path, architecture: name, known: GGUFArchitectures.names)
        }
        let shapes = Dictionary(infos.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first })
        let model = try kind.init(metadata: reader, tensorShapes: shapes)
        architecture = name
        var warnings = model.warnings
        let expected = Dictionary(model.tensors.map { ($0.ggufName, $0) }, uniquingKeysWith: { first, _ in first })
        var tensors: [ConvertedTensor] = []
        for (index, info) in infos.enumerated() {
            guard let target = expected[info.name] else {
                guard let reason = model.ignoredTensors[info.name] else {
                    throw ConvertError.unexpectedTensor(file: file.path, tensor: info.name, architecture: name)
                }
                warnings.append("tensor \"\(info.name)\" is not converted: \(reason)")
                continue
            }
            guard info.shape == target.shape else {
                throw ConvertError.shapeMismatch(
                    file: file.path, tensor: info.name, shape: info.shape, expected: target.shape)
            }
            tensors.append(
                ConvertedTensor(
                    name: target.name, sourceIndex: index, sourceName: info.name, shape: info.shape,
                    transform: target.transform, dtype: dtype))
        }
        for tensor in model.tensors where shapes[tensor.ggufName] == nil {
            throw ConvertError.missingTensor(file: file.path, tensor: tensor.ggufName)
        }
        self.tensors = tensors
        self.warnings = warnings
        files = Self.configFiles(config: model.config, modelClass: model.modelClass, dtype: dtype)
    }

    /// `config.json` with the model class and dtype that `save_pretrained`
    /// adds, and `generation_config.json` as transformers derives it from
    /// the config (`GenerationConfig.from_model_config`).
    static func configFiles(config: [String: JSONOutput], modelClass: String, dtype: DType) -> [ConversionFile] {
        var config = config
        config["architectures"] = .array([.string(modelClass)])
        config["dtype"] = .string(dtype.torchName)
        var generation: [String: JSONOutput] = [
            "_from_model_config": .bool(true), "output_attentions": .bool(false),
            "output_hidden_states": .bool(false), "use_cache": .bool(true),
        ]
        for key in ["bos_token_id", "eos_token_id", "pad_token_id"] {
            if let value = config[key], value != .null { generation[key] = value }
        }
        func file(_ name: String, _ object: [String: JSONOutput]) -> ConversionFile {
            ConversionFile(name: name, bytes: Array((sortedObject(object).rendered(pretty: true) + "\n").utf8))
        }
        return [file("config.json", config), file("generation_config.json", generation)]
    }

    /// The plan as canonical text: what it converts, into which dtype and
    /// shards, every tensor with its source and transform, and the digest
    /// of every file it writes. Its digest is the conversion's identity in
    /// the manifest and the journal.
    public var canonicalText: String {
        var lines = [
            "smelt-convert 1", "architecture \(architecture ?? "raw")", "dtype \(dtype.rawValue.lowercased())",
            "shard_size \(shardSizeLimit)",
        ]
        for tensor in tensors {
            lines.append(
                "tensor \(tensor.name) \(tensor.dtype.rawValue) \(tensor.shape) from \(tensor.sourceName)"
                    + " \(tensor.transform.canonicalName)")
        }
        for file in files { lines.append("file \(file.name) \(XXH3.hex(XXH3.digest(file.bytes)))") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// XXH3-64 of `canonicalText`.
    public var digest: UInt64 { XXH3.digest(Array(canonicalText.utf8)) }
}

extension DType {
    /// The name torch gives this dtype in a config's `dtype`.
    var torchName: String {
        switch self {
        case .bf16: "bfloat16"
        case .f16: "float16"
        case .f32: "float32"
        case .f64: "float64"
        default: rawValue.lowercased()
        }
    }
}
