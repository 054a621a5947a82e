import Model
import Testing

/// AdamW against `torch.optim.AdamW` (Fixtures/distill/gradients).
@Suite struct AdamWTests {
    /// One step from the reference weights with the reference gradients
    /// (not our own: a first step is about `−lr·sign(g)`, which would hide
    /// gradient errors and amplify rounding where |g| ≈ ε), every weight
    /// within 1e-7 of torch's.
    @Test(arguments: GradientReference.architectures)
    func firstStepMatchesTorch(architecture: String) throws {
        let reference = try GradientReference(architecture)
        var model = try reference.model()
        var optimizer = AdamW(learningRate: 1e-3, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        try model.update(with: &optimizer, gradients: reference.tensors("gradients.safetensors"))
        let expected = try reference.tensors("adamw-step.safetensors")
        #expect(Set(model.parameters.keys) == Set(expected.keys))
        for (name, values) in expected.sorted(by: { $0.key < $1.key }) {
            let found = model.parameters[name] ?? []
            let difference = zip(found, values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(found.count == values.count && difference < 1e-7, "\(name): \(difference)")
        }
        #expect(optimizer.stepCount == 1)
    }

    @Test func refusesGradientsOfUnknownParameters() throws {
        var optimizer = AdamW()
        var parameters = ["a": [Float(1)]]
        #expect(throws: ModelError.missingTensor(model: "model", tensor: "b")) {
            try optimizer.update(&parameters, gradients: ["b": [1]])
        }
        #expect(throws: ModelError.shapeMismatch(model: "model", tensor: "a", expected: [1], found: [2])) {
            try optimizer.update(&parameters, gradients: ["a": [1, 2]])
        }
    }
}
