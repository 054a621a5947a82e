import Base
import Foundation
import Checkpoint
@testable import Merge

/// Generated models whose tensors span several reduction blocks, so that a
/// small --chunk-size splits them into many chunks: a base and three
/// variants (base plus a task vector), BF16 and F32 mixed, with an integer
/// buffer and a config.json.
enum WideModels {
    static let tensors: [(name: String, dtype: DType, shape: [UInt64])] = [
        ("model.embed_tokens.weight", .bf16, [1200, 256]),
        ("model.layers.0.input_layernorm.weight", .f32, [256]),
        ("model.layers.0.mlp.up_proj.weight", .bf16, [520, 384]),
        ("model.layers.0.self_attn.q_proj.weight", .f32, [256, 256]),
        ("model.layers.0.self_attn.rotary_emb.inv_freq_index", .i64, [16]),
        ("model.layers.1.mlp.up_proj.weight", .bf16, [520, 384]),
        ("model.norm.weight", .f32, [256]),
    ]

    /// With `large`, one more tensor of 1 Mi elements, for which the
    /// task-arithmetic methods' sample pass predicts the cut-offs.
    static func tensors(large: Bool) -> [(name: String, dtype: DType, shape: [UInt64])] {
        tensors + (large ? [("model.layers.1.mlp.down_proj.weight", .bf16, [1024, 1024])] : [])
    }

    /// Writes `base`, `a`, `b`, `c` under `folder`.
    static func write(in folder: String, large: Bool = false) throws {
        let tensors = tensors(large: large)
        for (modelIndex, name) in ["base", "a", "b", "c"].enumerated() {
            let writer = try CheckpointWriter(outputPath: folder + "/" + name, tensors: tensors.map { OutputTensor(name: $0.name, dtype: $0.dtype, shape: $0.shape) }, shardSizeLimit: 1 << 40)
            for (tensorIndex, tensor) in tensors.enumerated() {
                let count = Int(tensor.shape.reduce(1, *))
                var bytes = [UInt8](repeating: 0, count: Int(tensor.dtype.byteCount(shape: tensor.shape) ?? 0))
                if tensor.dtype.isConvertibleFloat {
                    let values = (0..<count).map { element -> Float in
                        let base = normal(seed: UInt64(tensorIndex), element: element) * 0.02
                        let delta = modelIndex == 0 ? 0 : normal(seed: UInt64(100 * modelIndex + tensorIndex), element: element) * 0.004
                        // A few exact repeats, so top-k meets ties at its cut-off.
                        return element % 97 == 0 ? 0.01 : base + delta
                    }
                    values.withUnsafeBufferPointer { source in
                        bytes.withUnsafeMutableBytes { _ = tensor.dtype.encode(source, into: $0) }
                    }
                } else {
                    for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31) }
                }
                try bytes.withUnsafeBytes { try writer.write(tensor: tensor.name, offset: 0, bytes: $0) }
            }
            try writer.addFile(named: "config.json", bytes: Array("{\n  \"model_type\": \"llama\",\n  \"num_hidden_layers\": 2,\n  \"torch_dtype\": \"bfloat16\"\n}\n".utf8))
            try writer.publish(manifest: Manifest(version: smeltVersion))
        }
    }

    /// A deterministic standard normal draw (Box–Muller on SplitMix64).
    static func normal(seed: UInt64, element: Int) -> Float {
        let u1 = Double(CounterRandom.mix(seed &* 0x1234_5678 &+ UInt64(2 * element)) >> 11) * 0x1p-53 + 0x1p-54
        let u2 = Double(CounterRandom.mix(seed &* 0x1234_5678 &+ UInt64(2 * element + 1)) >> 11) * 0x1p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// One recipe per method over the wide models in `folder`.
    static func recipes(in folder: String) -> [(method: String, yaml: String)] {
        let base = "base_model: \(folder)/base\n"
        func models(_ names: [String], _ parameters: [String] = []) -> String {
            "models:\n" + names.enumerated().map { index, name in
                "  - model: \(folder)/\(name)\n" + (parameters.isEmpty ? "" : "    parameters:\n" + parameters.map { "      \($0.replacingOccurrences(of: "#", with: String(index + 1)))\n" }.joined())
            }.joined()
        }
        let three = ["a", "b", "c"]
        return [
            ("linear", "merge_method: linear\n" + models(three, ["weight: 0.#"])),
            ("task_arithmetic", "merge_method: task_arithmetic\n" + base + models(three, ["weight: 0.#"])),
            ("ties", "merge_method: ties\n" + base + models(three, ["weight: 0.#", "density: 0.#"])),
            ("dare_linear", "merge_method: dare_linear\n" + base + models(three, ["weight: 0.#", "density: 0.5"])),
            ("dare_ties", "merge_method: dare_ties\n" + base + models(three, ["weight: 0.#", "density: 0.5"])),
            ("breadcrumbs", "merge_method: breadcrumbs\n" + base + models(three, ["weight: 0.#", "density: 0.8", "gamma: 0.05"])),
            ("breadcrumbs_ties", "merge_method: breadcrumbs_ties\n" + base + models(three, ["weight: 0.#", "density: 0.8", "gamma: 0.05"])),
            ("della", "merge_method: della\n" + base + models(three, ["weight: 0.#", "density: 0.5", "epsilon: 0.1"])),
            ("della_linear", "merge_method: della_linear\n" + base + models(three, ["weight: 0.#", "density: 0.5", "epsilon: 0.1"])),
            ("slerp", "merge_method: slerp\n" + base + models(["a"]) + "parameters:\n  t: [0, 0.3, 1]\n"),
            ("nuslerp", "merge_method: nuslerp\n" + base + models(["a", "b"], ["weight: 0.#"])),
            ("nuslerp-rows", "merge_method: nuslerp\n" + models(["a", "b"], ["weight: 0.#"]) + "parameters:\n  nuslerp_flatten: false\n"),
            ("nuslerp-columns", "merge_method: nuslerp\n" + models(["a", "b"], ["weight: 0.#"]) + "parameters:\n  nuslerp_flatten: false\n  nuslerp_row_wise: true\n"),
            ("multislerp", "merge_method: multislerp\n" + base + models(three, ["weight: 0.#"])),
            ("karcher", "merge_method: karcher\n" + models(three)),
            ("model_stock", "merge_method: model_stock\n" + base + models(three)),
            ("model_stock-filter_wise", "merge_method: model_stock\n" + base + models(three) + "parameters:\n  filter_wise: true\n"),
            ("sce", "merge_method: sce\n" + base + models(three) + "parameters:\n  select_topk: 0.3\n"),
            ("nearswap", "merge_method: nearswap\n" + base + models(["a"]) + "parameters:\n  t: 0.001\n"),
            ("arcee_fusion", "merge_method: arcee_fusion\n" + base + models(["a"])),
            ("passthrough", "merge_method: passthrough\nslices:\n  - sources:\n      - model: \(folder)/a\n        layer_range: [0, 2]\n  - sources:\n      - model: \(folder)/b\n        layer_range: [1, 2]\n"),
        ]
    }
}
