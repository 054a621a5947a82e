import Base
import TestSupport
import Testing

@testable import Model

/// The fused products read several tensors as one matrix: q, k and v (and
/// their biases) one `[q + 2kv × hidden]` weight, gate and up one
/// `[2 · inner × hidden]` weight.
@Suite struct LayerWeightsTests {
    @Test(arguments: FidelityTests.models)
    func fusedProjectionsAreAdjacentInOneBuffer(model: String) throws {
        let language = try LanguageModel.open(path: TestFiles.fixture("model/" + model))
        let config = language.config
        let tensors = language.architecture.layerTensors(0)
        let weights = try LayerWeights(tensors: tensors, budget: ByteBudget(limitBytes: 1 << 30))
        let hidden = config.hiddenSize
        #expect(weights[.key] == weights[.query] + config.queryWidth * hidden)
        #expect(weights[.value] == weights[.key] + config.keyValueWidth * hidden)
        #expect(weights[.up] == weights[.gate] + config.intermediateSize * hidden)
        if let query = weights.optional(.queryBias) {
            #expect(weights.optional(.keyBias) == query + config.queryWidth)
            #expect(weights.optional(.valueBias) == query + config.queryWidth + config.keyValueWidth)
        }
        #expect(weights.storage.count == tensors.reduce(0) { $0 + $1.shape.reduce(1, *) })
    }
}
