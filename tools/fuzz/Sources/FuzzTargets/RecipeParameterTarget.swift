import Base
import Checkpoint
import Merge

#if canImport(Glibc)
import Glibc
#endif

/// Fuzzes recipe parameters end to end: the input picks a method, models,
/// slices, an output dtype and parameter values (numbers written every way
/// YAML allows, NaNs, infinities, Float32 overflows, gradients, filter
/// lists) at every level; the recipe is planned and, when accepted, merged
/// in process over small synthetic F32 models (finite, some with values
/// near Float32's limit) with `--allow-non-finite` off.
///
/// What must hold: no crash; a refusal is a `SmeltError` with a one-line
/// message and publishes nothing; and no NaN or infinity reaches a
/// published tensor, since the inputs hold none.
public enum RecipeParameterTarget {
    /// The scratch folder, with the models written once per process.
    static let scratch: String = {
        let folder = "/dev/shm/smelt-fuzz-params"
        do {
            try? FileSystem.removeTree(folder)
            try FileSystem.createDirectory(folder)
            for (index, name) in modelNames.enumerated() {
                try writeModel(folder + "/" + name, seed: UInt64(index + 1), magnitude: name == "big" ? 1e37 : 1)
            }
        } catch {
            invariant(false, "cannot write the synthetic models: \(error)")
        }
        atexit { try? FileSystem.removeTree("/dev/shm/smelt-fuzz-params") }
        return folder
    }()

    static let modelNames = ["base", "a", "b", "big"]

    /// Two layers, tensors of a few hundred elements, all finite.
    static let tensorShapes: [(String, [UInt64])] = [
        ("model.embed_tokens.weight", [24, 16]),
        ("model.layers.0.self_attn.q_proj.weight", [16, 16]),
        ("model.layers.0.mlp.up_proj.weight", [24, 16]),
        ("model.layers.0.input_layernorm.weight", [16]),
        ("model.layers.1.self_attn.q_proj.weight", [16, 16]),
        ("model.layers.1.mlp.up_proj.weight", [24, 16]),
        ("model.layers.1.input_layernorm.weight", [16]),
        ("model.norm.weight", [16]),
        ("lm_head.weight", [24, 16]),
    ]

    static func writeModel(_ path: String, seed: UInt64, magnitude: Float) throws {
        let tensors = tensorShapes.map { OutputTensor(name: $0.0, dtype: .f32, shape: $0.1) }
        let writer = try CheckpointWriter(outputPath: path, tensors: tensors, shardSizeLimit: 1 << 40)
        var state = seed
        for tensor in tensors {
            let count = Int(tensor.shape.reduce(1, *))
            let values = (0..<count).map { _ -> Float in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return magnitude * (Float(state >> 40) / Float(1 << 24) * 2 - 1)
            }
            try values.withUnsafeBytes { try writer.write(tensor: tensor.name, offset: 0, bytes: $0) }
        }
        try writer.publish(manifest: Manifest(version: smeltVersion))
    }

    public static func run(_ input: UnsafeRawBufferPointer) {
        let folder = scratch
        var bytes = FuzzBytes(input)
        let recipe = RecipeWriter.recipe(from: &bytes, folder: folder)
        let recipePath = folder + "/recipe.yml"
        let output = folder + "/out"
        do {
            try FileSystem.removeTree(output)
            try FileSystem.removeTree(CheckpointWriter.stagingPath(for: output))
            try FileSystem.writeFileAtomically(recipePath, bytes: Array(recipe.utf8))
        } catch {
            invariant(false, "cannot reset the scratch folder: \(error)")
        }
        var options = MergeOptions(memoryBudget: ByteBudget.minimumLimitBytes, threads: 2)
        options.plan.seed = UInt64(bytes.byte())
        do {
            _ = try MergeRun.run(recipePath: recipePath, outputPath: output, options: options, dryRun: false)
        } catch let error as SmeltError {
            let message = error.message
            invariant(!message.isEmpty && !message.contains("\n"), "not a one-line message: \(message)\n\(recipe)")
            invariant(!exists(output), "refused (\(message)) yet published\n\(recipe)")
            return
        } catch {
            invariant(false, "not a SmeltError: \(error)\n\(recipe)")
        }
        checkPublishedTensorsAreFinite(output, recipe: recipe)
    }

    static func exists(_ path: String) -> Bool {
        do { return try FileSystem.status(path) != nil } catch { return true }
    }

    /// Reads every tensor of the published output back and looks at each
    /// value, decoded independently of the executor's check.
    static func checkPublishedTensorsAreFinite(_ output: String, recipe: String) {
        do {
            let checkpoint = try Checkpoint(path: output)
            for (file, tensor) in checkpoint.tensors where tensor.dtype.isConvertibleFloat {
                let count = Int(tensor.elementCount)
                var values = [Float](repeating: 0, count: count)
                let decoded = file.mapping.withBytes(in: file.fileRange(of: tensor)) { raw in
                    values.withUnsafeMutableBufferPointer { tensor.dtype.decode(raw, into: $0) }
                }
                invariant(decoded, "cannot decode \(tensor.name) as \(tensor.dtype)")
                if let index = values.firstIndex(where: { !$0.isFinite }) {
                    invariant(
                        false,
                        "published \(tensor.name) holds \(values[index]) at element \(index) from finite inputs\n\(recipe)"
                    )
                }
            }
        } catch {
            invariant(false, "the published output does not read back: \(error)\n\(recipe)")
        }
    }
}

/// The fuzz input read as a stream of choices; zeros once it runs out.
struct FuzzBytes {
    private let bytes: [UInt8]
    private var next = 0

    init(_ input: UnsafeRawBufferPointer) { bytes = Array(input) }

    mutating func byte() -> UInt8 {
        defer { next += 1 }
        return next < bytes.count ? bytes[next] : 0
    }

    mutating func pick<T>(_ choices: [T]) -> T { choices[Int(byte()) % choices.count] }

    mutating func chance(_ outOf: UInt8) -> Bool { byte() % outOf == 0 }

    var isExhausted: Bool { next >= bytes.count }
}

/// Builds a recipe's YAML text from fuzz bytes.
enum RecipeWriter {
    static let methods = [
        "linear", "task_arithmetic", "ties", "dare_linear", "dare_ties", "breadcrumbs", "breadcrumbs_ties", "della",
        "della_linear", "slerp", "nuslerp", "multislerp", "karcher", "model_stock", "sce", "nearswap", "passthrough",
        "arcee_fusion",
    ]

    /// Numbers as a recipe may write them, the troublesome ones included.
    static let numberTexts = [
        "0", "1", "0.5", "-1", "2", "0.3", "0.999", "1.0000001", "1e-9", "1e-45", ".5", "-.5", "-0.0", "0x10",
        "1_000", "1:30", "true", "false", ".nan", ".NaN", ".inf", "-.inf", "+.Inf", "1e309", "-1e309", "1e308",
        "3.4028235e38", "3.4028236e38", "3.5e38", "-3.5e38", "1e38", "18446744073709551616", "1e-320", "0.15",
        "0.85", "0.01", "!!float 0.4", "\"0.5\"",
    ]

    static let filters = ["mlp", "self_attn", "layers.1", "layers.0", "norm", "*", "no_such_tensor", "embed"]

    static func number(_ bytes: inout FuzzBytes) -> String {
        switch bytes.byte() % 4 {
        case 0:
            // Eight bytes as a Double bit pattern: any value Swift can print.
            var bits: UInt64 = 0
            for _ in 0..<8 { bits = bits << 8 | UInt64(bytes.byte()) }
            let value = Double(bitPattern: bits)
            return value.isNaN ? ".nan" : value.isInfinite ? (value < 0 ? "-.inf" : ".inf") : "\(value)"
        case 1:
            return "\(Double(Int8(bitPattern: bytes.byte())) / 64)"
        default:
            return bytes.pick(numberTexts)
        }
    }

    static func value(_ bytes: inout FuzzBytes, depth: Int = 0) -> String {
        switch bytes.byte() % 6 {
        case 0, 1, 2:
            return number(&bytes)
        case 3, 4:
            let count = 1 + Int(bytes.byte() % 5)
            return "[" + (0..<count).map { _ in number(&bytes) }.joined(separator: ", ") + "]"
        default:
            let count = 1 + Int(bytes.byte() % 3)
            let entries = (0..<count).map { _ -> String in
                let inner = depth < 1 && bytes.chance(4) ? value(&bytes, depth: depth + 1) : number(&bytes)
                if bytes.chance(4) { return "{value: \(inner)}" }
                return "{filter: \"\(bytes.pick(filters))\", value: \(inner)}"
            }
            return "[" + entries.joined(separator: ", ") + "]"
        }
    }

    /// A `{name: value, ...}` mapping of some of `names`, or nil for none.
    static func parameters(_ bytes: inout FuzzBytes, names: [String]) -> String? {
        guard !names.isEmpty, !bytes.chance(3) else { return nil }
        let count = 1 + Int(bytes.byte()) % min(4, names.count + 1)
        var entries: [String] = []
        var used: Set<String> = []
        for _ in 0..<count {
            let name = bytes.pick(names + ["weight", "density", "t", "normalize", "int8_mask"])
            guard used.insert(name).inserted else { continue }
            entries.append("\(name): \(value(&bytes))")
        }
        return "{" + entries.joined(separator: ", ") + "}"
    }

    static func recipe(from bytes: inout FuzzBytes, folder: String) -> String {
        let method = bytes.pick(methods)
        let names = MethodRegistry.method(named: method)?.parameters.map(\.name) ?? []
        let perModel =
            MethodRegistry.method(named: method)?.parameters.filter { $0.scope == .perModel }.map(\.name) ?? []
        var lines = ["merge_method: \(method)"]
        let hasBase = !bytes.chance(4)
        if hasBase { lines.append("base_model: \(folder)/base") }
        let others = ["a", "b", "big"]
        let modelCount = 1 + Int(bytes.byte() % 3)
        let models = (0..<modelCount).map { others[($0 + Int(bytes.byte() % 3)) % 3] }
        if bytes.chance(3) {
            lines.append("slices:")
            let ranges = bytes.chance(2) ? ["[0, 2]"] : ["[0, 1]", "[1, 2]"]
            for range in ranges {
                lines.append("  - sources:")
                for model in (hasBase && bytes.chance(2) ? ["base"] : []) + models {
                    lines.append("      - model: \(folder)/\(model)")
                    lines.append("        layer_range: \(range)")
                    if let parameters = parameters(&bytes, names: perModel) {
                        lines.append("        parameters: \(parameters)")
                    }
                }
                if let parameters = parameters(&bytes, names: names) { lines.append("    parameters: \(parameters)") }
            }
        } else {
            lines.append("models:")
            for model in models {
                lines.append("  - model: \(folder)/\(model)")
                if let parameters = parameters(&bytes, names: perModel) {
                    lines.append("    parameters: \(parameters)")
                }
            }
        }
        if let parameters = parameters(&bytes, names: names) { lines.append("parameters: \(parameters)") }
        switch bytes.byte() % 8 {
        case 0: lines.append("out_dtype: float16")
        case 1: lines.append("out_dtype: bfloat16")
        case 2: lines.append("dtype: float32")
        default: break
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
