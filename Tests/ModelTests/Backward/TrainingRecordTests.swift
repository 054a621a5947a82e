import Model
import Testing

/// Records the loss cannot be computed over are refused before any work.
@Suite struct TrainingRecordTests {
    static let malformed: [TrainingRecord] = [
        TrainingRecord(ids: [3], lossMask: []),
        TrainingRecord(ids: [3, 13], lossMask: [true]),
        TrainingRecord(ids: [3, 4, 5], lossMask: [true]),
        TrainingRecord(ids: [3, 4], lossMask: [true], targetIDs: [[1, 2]], targetLogProbabilities: [[-1]]),
        TrainingRecord(ids: [3, 4, 5], lossMask: [true, true], targetIDs: [[1]], targetLogProbabilities: [[-1]]),
        TrainingRecord(ids: [3, 4], lossMask: [true], targetIDs: [[99]], targetLogProbabilities: [[-1]]),
    ]

    @Test(arguments: malformed)
    func refusesMalformedRecords(record: TrainingRecord) throws {
        let model = try TinyTrainable.model(kind: "qwen2", seed: 1)
        #expect(throws: ModelError.self) { try model.lossAndGradients(records: [record], lambda: 0.5) }
    }

    @Test func refusesGemma3() throws {
        let json = """
            {"model_type": "gemma3_text", "vocab_size": 13, "hidden_size": 8, "intermediate_size": 12,
             "num_hidden_layers": 1, "num_attention_heads": 2, "head_dim": 4, "hidden_activation": "gelu_pytorch_tanh"}
            """
        let config = try ModelConfig(json: Array(json.utf8), file: "config.json")
        #expect(throws: ModelError.untrainableArchitecture(model: "model", kind: .gemma3)) {
            try TrainableModel(config: config, parameters: [:])
        }
    }
}
