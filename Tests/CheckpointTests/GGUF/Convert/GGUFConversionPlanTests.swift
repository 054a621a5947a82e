import Base
import Checkpoint
import Foundation
import Testing
import TestSupport

/// The name map, transforms and config of each architecture on small
/// synthetic GGUFs, and every refusal of a file that does not fit its
/// architecture.
@Suite struct GGUFConversionPlanTests {
    static func plan(
        _ model: TinyGGUF, dtype: DType = .bf16, rawNames: Bool = false
    ) throws -> GGUFConversionPlan {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try TestFiles.write(model.bytes, to: folder + "/m.gguf")
        return try GGUFConversionPlan(
            file: try GGUFFile(path: folder + "/m.gguf"), dtype: dtype, rawNames: rawNames, shardSizeLimit: 1 << 30)
    }

    /// The plan's `config.json` as a dictionary.
    static func config(_ plan: GGUFConversionPlan, file: String = "config.json") throws -> [String: Any] {
        let bytes = try #require(plan.files.first { $0.name == file }?.bytes)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    static func layerNames(_ leaves: [String]) -> [String] {
        (0..<TinyGGUF.layerCount).flatMap { layer in leaves.map { "model.layers.\(layer).\($0)" } }
    }

    static let projections = [
        "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight",
        "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
    ]

    @Test func llamaTensorsGetTransformersNamesAndTheRowPermutationUndone() throws {
        let plan = try Self.plan(.llama())
        #expect(plan.architecture == "llama")
        let expected =
            ["model.embed_tokens.weight", "model.norm.weight"]
            + Self.layerNames(
                ["input_layernorm.weight"] + Self.projections + ["post_attention_layernorm.weight"])
        #expect(Set(plan.tensors.map(\.name)) == Set(expected))
        #expect(plan.tensors.count == expected.count)
        for tensor in plan.tensors {
            let transform: TensorTransform =
                tensor.name.hasSuffix("q_proj.weight")
                ? .unpermuteHeads(headCount: TinyGGUF.headCount)
                : tensor.name.hasSuffix("k_proj.weight")
                    ? .unpermuteHeads(headCount: TinyGGUF.keyValueHeadCount) : .none
            #expect(tensor.transform == transform, "\(tensor.name)")
            #expect(tensor.dtype == .bf16)
        }
        // File order, so the input is read front to back.
        #expect(plan.tensors.map(\.sourceIndex) == plan.tensors.map(\.sourceIndex).sorted())
    }

    @Test func aFileWithoutOutputWeightGetsATiedHead() throws {
        let tied = try Self.config(try Self.plan(.llama(tied: true)))
        #expect(tied["tie_word_embeddings"] as? Bool == true)
        let untiedPlan = try Self.plan(.llama(tied: false))
        #expect(untiedPlan.tensors.contains { $0.name == "lm_head.weight" && $0.sourceName == "output.weight" })
        #expect(try Self.config(untiedPlan)["tie_word_embeddings"] as? Bool == false)
    }

    @Test func llamaConfigHasEveryFieldTransformersWrites() throws {
        let config = try Self.config(try Self.plan(.llama()))
        #expect(
            Set(config.keys) == [
                "_model_name_or_path", "architectures", "attention_bias", "attention_dropout", "bos_token_id", "dtype",
                "eos_token_id", "head_dim", "hidden_act", "hidden_size", "initializer_range", "intermediate_size",
                "max_position_embeddings", "mlp_bias", "model_type", "num_attention_heads", "num_hidden_layers",
                "num_key_value_heads", "pretraining_tp", "rms_norm_eps", "rope_parameters", "tie_word_embeddings",
                "use_cache", "vocab_size",
            ])
        #expect(config["architectures"] as? [String] == ["LlamaForCausalLM"])
        #expect(config["dtype"] as? String == "bfloat16")
        #expect(config["head_dim"] as? Int == TinyGGUF.headDimension)
        #expect(config["num_key_value_heads"] as? Int == TinyGGUF.keyValueHeadCount)
        // float32 metadata widened exactly, as transformers' float() does.
        #expect(config["rms_norm_eps"] as? Double == Double(Float(1e-5)))
        #expect((config["rope_parameters"] as? [String: Any])?["rope_theta"] as? Double == 10_000)
        let generation = try Self.config(try Self.plan(.llama()), file: "generation_config.json")
        #expect(generation["bos_token_id"] as? Int == 1 && generation["eos_token_id"] as? Int == 2)
        #expect(generation["pad_token_id"] == nil)
    }

    @Test func qwen2KeepsItsBiasesAndTransformsNothing() throws {
        let plan = try Self.plan(.qwen2())
        #expect(plan.tensors.allSatisfy { $0.transform == .none })
        #expect(plan.tensors.contains { $0.name == "model.layers.1.self_attn.k_proj.bias" && $0.shape == [16] })
        #expect(plan.tensors.contains { $0.name == "lm_head.weight" })
        let config = try Self.config(plan)
        #expect(config["model_type"] as? String == "qwen2")
        #expect(config["layer_types"] as? [String] == ["full_attention", "full_attention"])
        #expect(config["use_sliding_window"] as? Bool == false && config["head_dim"] == nil)
    }

    @Test func gemma3SubtractsOneFromEveryNormAndStatesItsLayerTypes() throws {
        var model = TinyGGUF.gemma3()
        model.setMetadata("gemma3.block_count", .uint32(7))
        for layer in 2..<7 {
            for tensor in TinyGGUF.gemma3().tensors where tensor.name.hasPrefix("blk.0.") {
                model.tensors.append(
                    TinyGGUF.Tensor(
                        name: tensor.name.replacingOccurrences(of: "blk.0.", with: "blk.\(layer)."),
                        shape: tensor.shape, values: tensor.values))
            }
        }
        let plan = try Self.plan(model)
        for tensor in plan.tensors {
            let isNorm = tensor.sourceName.hasSuffix("norm.weight")
            #expect(tensor.transform == (isNorm ? .subtractOne : .none), "\(tensor.name)")
        }
        #expect(plan.tensors.contains { $0.name == "model.layers.6.pre_feedforward_layernorm.weight" })
        #expect(plan.tensors.contains { $0.name == "model.layers.0.self_attn.k_norm.weight" && $0.shape == [8] })
        let config = try Self.config(plan)
        #expect(config["model_type"] as? String == "gemma3_text")
        #expect(config["architectures"] as? [String] == ["Gemma3ForCausalLM"])
        #expect(config["sliding_window"] as? Int == 16 && config["head_dim"] as? Int == 8)
        #expect(
            config["layer_types"] as? [String] == [
                "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention",
                "sliding_attention", "full_attention", "sliding_attention",
            ])
        let rope = try #require(config["rope_parameters"] as? [String: [String: Any]])
        #expect(rope["full_attention"]?["rope_theta"] as? Double == 10_000)
        #expect(rope["sliding_attention"]?["rope_theta"] as? Double == 10_000)
    }

    @Test func rawNamesKeepEveryTensorOfAnyArchitecture() throws {
        var model = TinyGGUF.llama()
        model.setMetadata("general.architecture", .string("mamba"))
        let plan = try Self.plan(model, dtype: .f32, rawNames: true)
        #expect(plan.architecture == nil && plan.files.isEmpty)
        #expect(plan.tensors.map(\.name) == model.tensors.map(\.name))
        #expect(plan.tensors.map(\.shape) == model.tensors.map(\.shape))
        #expect(plan.tensors.allSatisfy { $0.transform == .none && $0.dtype == .f32 })
    }

    @Test func ropeFrequencyFactorsAreDroppedWithAWarning() throws {
        var model = TinyGGUF.llama()
        model.add("rope_freqs.weight", [TinyGGUF.headDimension / 2])
        let plan = try Self.plan(model)
        #expect(!plan.tensors.contains { $0.sourceName == "rope_freqs.weight" })
        #expect(plan.warnings.count == 1 && plan.warnings[0].contains("rope_freqs.weight"))
    }

    @Test func thePlanTextNamesEveryTensorItsSourceAndTransform() throws {
        let plan = try Self.plan(.llama())
        let text = plan.canonicalText
        #expect(text.hasPrefix("smelt-convert 1\narchitecture llama\ndtype bf16\nshard_size 1073741824\n"))
        #expect(
            text.contains(
                "tensor model.layers.0.self_attn.q_proj.weight BF16 [32, 32] from blk.0.attn_q.weight unpermute_heads 4\n"
            ))
        #expect(try Self.plan(.llama(), dtype: .f16).digest != plan.digest)
    }

    static let file = "m.gguf"

    /// A broken model and the error that names what is wrong with it.
    static let refusals: [(String, @Sendable (inout TinyGGUF) -> Void, @Sendable (String) -> ConvertError)] = [
        (
            "unknown architecture", { $0.setMetadata("general.architecture", .string("mamba")) },
            { .unknownArchitecture(file: $0, architecture: "mamba", known: ["gemma3", "llama", "qwen2"]) }
        ),
        (
            "no architecture", { $0.setMetadata("general.architecture", nil) },
            { .missingMetadata(file: $0, key: "general.architecture") }
        ),
        (
            "architecture not a string", { $0.setMetadata("general.architecture", .uint32(1)) },
            { .invalidMetadata(file: $0, key: "general.architecture", problem: "is uint32, not a string") }
        ),
        (
            "no block count", { $0.setMetadata("llama.block_count", nil) },
            { .missingMetadata(file: $0, key: "llama.block_count") }
        ),
        (
            "block count a string", { $0.setMetadata("llama.block_count", .string("2")) },
            { .invalidMetadata(file: $0, key: "llama.block_count", problem: "is string, not an integer") }
        ),
        (
            "no heads", { $0.setMetadata("llama.attention.head_count", .uint32(0)) },
            {
                .invalidMetadata(
                    file: $0, key: "llama.attention.head_count", problem: "is 0, below the smallest allowed, 1")
            }
        ),
        (
            "key-value heads that do not divide the heads", { $0.setMetadata("llama.attention.head_count_kv", .uint32(3)) },
            {
                .invalidMetadata(
                    file: $0, key: "llama.attention.head_count_kv",
                    problem: "is 3, which does not divide the head count 4")
            }
        ),
        (
            "an odd head size", { $0.setMetadata("llama.rope.dimension_count", .uint32(7)) },
            {
                .invalidMetadata(
                    file: $0, key: "llama.rope.dimension_count",
                    problem: "is 7; the Q/K row permutation needs an even head size")
            }
        ),
        (
            "an epsilon that is not a number", { $0.setMetadata("llama.attention.layer_norm_rms_epsilon", .bool(true)) },
            {
                .invalidMetadata(
                    file: $0, key: "llama.attention.layer_norm_rms_epsilon", problem: "is bool, not a number")
            }
        ),
        (
            "a missing layer tensor", { $0.remove("blk.1.ffn_up.weight") },
            { .missingTensor(file: $0, tensor: "blk.1.ffn_up.weight") }
        ),
        (
            "a missing embedding", { $0.remove("token_embd.weight") },
            { .missingTensor(file: $0, tensor: "token_embd.weight") }
        ),
        (
            "a layer beyond the block count", { $0.add("blk.2.attn_q.weight", [32, 32]) },
            { .unexpectedTensor(file: $0, tensor: "blk.2.attn_q.weight", architecture: "llama") }
        ),
        (
            "a tensor llama does not have", { $0.add("blk.0.attn_q.bias", [32]) },
            { .unexpectedTensor(file: $0, tensor: "blk.0.attn_q.bias", architecture: "llama") }
        ),
        (
            "a projection of the wrong shape",
            { model in
                model.remove("blk.0.attn_k.weight")
                model.add("blk.0.attn_k.weight", [32, 32])
            },
            { .shapeMismatch(file: $0, tensor: "blk.0.attn_k.weight", shape: [32, 32], expected: [16, 32]) }
        ),
        (
            "an embedding that disagrees with vocab_size", { $0.setMetadata("llama.vocab_size", .uint32(65)) },
            { .shapeMismatch(file: $0, tensor: "token_embd.weight", shape: [64, 32], expected: [65, 32]) }
        ),
    ]

    @Test(arguments: refusals.indices)
    func refusesAFileThatDoesNotFitItsArchitecture(index: Int) throws {
        let (name, breaking, error) = Self.refusals[index]
        var model = TinyGGUF.llama()
        breaking(&model)
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let path = folder + "/" + Self.file
        try TestFiles.write(model.bytes, to: path)
        let file = try GGUFFile(path: path)
        #expect(throws: error(path), "\(name)") {
            _ = try GGUFConversionPlan(file: file, dtype: .bf16, rawNames: false, shardSizeLimit: 1 << 30)
        }
        #expect(error(path).exitCode == .dataError)
    }

    @Test func refusesATensorItCannotDequantizeNamingIt() throws {
        var model = TinyGGUF.llama()
        model.tensors[0].type = .iq4_NL
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try TestFiles.write(model.bytes, to: folder + "/m.gguf")
        let file = try GGUFFile(path: folder + "/m.gguf")
        for rawNames in [false, true] {
            let error = #expect(throws: GGUFError.self) {
                _ = try GGUFConversionPlan(file: file, dtype: .f32, rawNames: rawNames, shardSizeLimit: 1 << 30)
            }
            #expect(error?.problem == .notSupportedYet(tensor: "token_embd.weight", type: .iq4_NL))
        }
    }
}
