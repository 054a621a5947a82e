import Base
import TestSupport
import Testing

@testable import Model

/// Weights served from memory score exactly as the checkpoint they were
/// read from, and a tensor they lack is reported missing.
@Suite struct ParameterWeightSourceTests {
    static let records = [[1, 414, 27, 90, 3], [1, 7, 8]]

    @Test(arguments: ["tiny-llama", "tiny-qwen2"])
    func scoresAsTheCheckpointItWasReadFrom(model: String) throws {
        let path = TestFiles.fixture("model/" + model)
        let stored = try LanguageModel.open(path: path)
        let trainable = try TrainableModel.open(path: path)
        let source = ParameterWeightSource(
            name: "in memory", tensors: trainable.parameters, shapes: trainable.parameterShapes)
        let inMemory = try LanguageModel(config: stored.config, source: source)
        let budget = ByteBudget(limitBytes: 1 << 30)
        let expected = try stored.score(Self.records, topK: 3, threads: 2, budget: budget)
        let found = try inMemory.score(Self.records, topK: 3, threads: 2, budget: budget)
        #expect(found.map(\.goldLogProbabilities) == expected.map(\.goldLogProbabilities))
        #expect(found.map(\.topIDs) == expected.map(\.topIDs))
    }

    @Test func aTensorItLacksIsReportedMissing() throws {
        let trainable = try TrainableModel.open(path: TestFiles.fixture("model/tiny-llama"))
        var tensors = trainable.parameters
        tensors["model.norm.weight"] = nil
        let source = ParameterWeightSource(name: "partial", tensors: tensors, shapes: trainable.parameterShapes)
        #expect(source.shape(of: "model.norm.weight") == nil)
        #expect(throws: ModelError.missingTensor(model: "partial", tensor: "model.norm.weight")) {
            try LanguageModel(config: trainable.config, source: source)
        }
    }
}
