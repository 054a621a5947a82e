import Base
import Model
import TestSupport
import Testing

/// Tiny random-weight models of each architecture against transformers'
/// Float32 eager forward pass (tools/make_tiny_model_references.py).
@Suite struct FidelityTests {
    static let models = ["tiny-llama", "tiny-llama-bf16", "tiny-qwen2", "tiny-gemma3"]

    @Test(arguments: models)
    func matchesTransformersAtEveryPosition(model: String) throws {
        let references = try TinyModelReference.load(model)
        let language = try LanguageModel.open(path: TestFiles.fixture("model/" + model))
        let scores = try language.score(
            references.map(\.ids), topK: 5, threads: 2, budget: ByteBudget(limitBytes: 256 << 20))
        let report = FidelityReport(scores, references)
        #expect(report.goldDelta <= 1e-3, "\(model): \(report)")
        #expect(report.logSumExpDelta <= 1e-3, "\(model): \(report)")
        #expect(report.topMismatches.isEmpty, "\(model): \(report)")
        print("\(model): \(report)")
    }
}
