import Base
import Checkpoint

extension Planner {
    /// The reference model's `config.json` with the layer count set to the
    /// output's and `torch_dtype` / `dtype` (whichever exist) set to the
    /// stored dtype; nil, with a warning, when there is none.
    mutating func outputConfig(reference: ResolvedModel, layerCount: Int, tensors: [PlannedTensor]) throws -> [UInt8]? {
        let path = reference.checkpoint.folder + "/config.json"
        guard try FileSystem.status(path) != nil else {
            warnings.append("'\(reference.reference.text)' has no config.json; the output will have none")
            return nil
        }
        let members = try Self.configMembers(path)
        let stored = tensors.first { $0.name.contains("embed") }?.outputDType ?? tensors.first?.outputDType ?? .f32
        let dtypeName = Self.torchName(of: stored)
        let edited = members.map { (key, node) -> (String, JSONOutput) in
            switch key {
            case "num_hidden_layers" where Self.isCount(node.value): (key, .unsigned(UInt64(layerCount)))
            case "torch_dtype", "dtype": (key, .string(dtypeName))
            default: (key, Self.output(node.value))
            }
        }
        return Array((JSONOutput.object(edited).rendered(pretty: true) + "\n").utf8)
    }

    /// Refuses a model whose `config.json` states another layer count than
    /// its tensors hold; a model without one, or without the key, passes.
    func checkConfigLayerCount(of model: ResolvedModel, tensorLayers: Int) throws {
        let path = model.checkpoint.folder + "/config.json"
        guard try FileSystem.status(path) != nil else { return }
        let members = try Self.configMembers(path)
        guard case .unsignedInteger(let stated)? = members.first(where: { $0.key == "num_hidden_layers" })?.node.value,
            stated != UInt64(tensorLayers)
        else { return }
        throw MergeError.layerCountMismatch(
            model: model.reference.text, configFile: path, statedLayers: stated, tensorLayers: tensorLayers)
    }

    /// The members of the JSON object in the `config.json` at `path`.
    private static func configMembers(_ path: String) throws -> [(key: String, node: JSONNode)] {
        let bytes = try FileSystem.readSmallFile(path, limit: 16 << 20)
        let root: JSONNode
        do { root = try JSONScanner.parse(bytes) } catch {
            throw MergeError.malformedConfig(file: path, byteOffset: error.offset, problem: error.message)
        }
        guard case .object(let members) = root.value else {
            throw MergeError.malformedConfig(file: path, byteOffset: nil, problem: "not a JSON object")
        }
        return members
    }

    /// Tokenizer and generation files of the reference model.
    func copiedFiles(from reference: ResolvedModel) throws -> [(name: String, path: String)] {
        var files: [(String, String)] = []
        for name in MergePlan.copiedFileNames {
            let path = reference.checkpoint.folder + "/" + name
            if let status = try FileSystem.status(path), status.isRegularFile { files.append((name, path)) }
        }
        return files
    }

    static func torchName(of dtype: DType) -> String {
        switch dtype {
        case .f32: "float32"
        case .f16: "float16"
        case .bf16: "bfloat16"
        case .f64: "float64"
        default: dtype.rawValue.lowercased()
        }
    }

    private static func isCount(_ value: JSONValue) -> Bool {
        if case .unsignedInteger = value { return true }
        return false
    }

    /// A scanned JSON value as Smelt writes it, numbers kept verbatim.
    static func output(_ value: JSONValue) -> JSONOutput {
        switch value {
        case .object(let members): .object(members.map { ($0.key, output($0.node.value)) })
        case .array(let elements): .array(elements.map { output($0.value) })
        case .string(let text): .string(text)
        case .unsignedInteger(let number): .unsigned(number)
        case .number(let text): .number(text)
        case .bool(let flag): .bool(flag)
        case .null: .null
        }
    }
}
