import Model

/// Tiny random llama (tied) and qwen2 (untied, biases) models and records
/// for tests of the backward pass: vocabulary 13, hidden 8, two layers of
/// two query heads sharing one key-value head.
enum TinyTrainable {
    static func config(kind: String) throws -> ModelConfig {
        let json = """
            {"model_type": "\(kind)", "vocab_size": 13, "hidden_size": 8, "intermediate_size": 12,
             "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1, "hidden_act": "silu",
             "rms_norm_eps": 1e-6, "rope_theta": 100.0, "tie_word_embeddings": \(kind == "llama")}
            """
        return try ModelConfig(json: Array(json.utf8), file: "config.json")
    }

    /// Weights of about ±0.5 (norm weights about 1 ± 0.2), from `seed`.
    static func model(kind: String, seed: UInt64) throws -> TrainableModel {
        let config = try config(kind: kind)
        var state = seed
        var parameters: [String: [Float]] = [:]
        for (name, shape) in TrainableModel.parameterShapes(config) {
            let isNorm = name.hasSuffix("norm.weight")
            parameters[name] = (0..<shape.reduce(1, *)).map { _ in
                let uniform = Float(next(&state) >> 40) / Float(1 << 24) - 0.5
                return isNorm ? 1 + 0.4 * uniform : uniform
            }
        }
        return try TrainableModel(config: config, parameters: parameters)
    }

    /// Two records: one with a hole in its loss mask and top-3 targets,
    /// one without targets.
    static func records(vocabularySize: Int) -> [TrainingRecord] {
        let first: [Int32] = [3, 7, 1, 12, 5, 5, 9]
        let positions = 0..<(first.count - 1)
        let targetIDs: [[Int32]] = positions.map { position in
            [0, 1, 2].map { (rank: Int) -> Int32 in Int32((position * 5 + rank * 4) % 13) }
        }
        let logProbabilities: [[Float]] = positions.map { (position: Int) -> [Float] in
            [-0.4, -1.5 - 0.1 * Float(position), -2.5]
        }
        return [
            TrainingRecord(
                ids: first, lossMask: [false, true, true, false, true, true], targetIDs: targetIDs,
                targetLogProbabilities: logProbabilities),
            TrainingRecord(ids: [0, 11, 4, 8, 2], lossMask: [true, true, true, true]),
        ]
    }

    /// A few entries of a tensor of `count` elements: the first, the last and two between.
    static func probes(count: Int) -> [Int] { Array(Set([0, count / 3, 2 * count / 3 + 1, count - 1])).sorted() }

    private static func next(_ state: inout UInt64) -> UInt64 {
        // SplitMix64 (Steele, Lea and Flood 2014).
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
