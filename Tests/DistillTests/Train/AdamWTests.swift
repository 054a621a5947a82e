import Base
import Checkpoint
import TestSupport
import Testing

@testable import Distill

/// One AdamW step from the reference gradients equals `torch.optim.AdamW`'s
/// (tools/make_distill_references.py, Fixtures/distill/gradients): lr 1e-3,
/// β 0.9/0.95, ε 1e-8, weight decay 0.1 on every parameter.
@Suite struct AdamWTests {
    static func tensors(_ path: String) throws -> [String: [Float]] {
        let file = try SafeTensorsFile(path: path)
        var result: [String: [Float]] = [:]
        for tensor in file.header.tensors {
            result[tensor.name] = file.mapping.withBytes(in: file.fileRange(of: tensor)) { raw in
                (0..<raw.count / 4).map {
                    Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))
                }
            }
        }
        return result
    }

    @Test(arguments: ["llama", "qwen2"])
    func oneStepMatchesTorch(architecture: String) throws {
        let folder = TestFiles.fixture("distill/gradients/\(architecture)")
        let weights = try Self.tensors(folder + "/model.safetensors")
        let gradients = try Self.tensors(folder + "/gradients.safetensors")
        let expected = try Self.tensors(folder + "/adamw-step.safetensors")
        let optimizer = AdamW(learningRate: 1e-3, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        #expect(weights.count == expected.count && weights.count > 10)
        var largest: Float = 0
        for (name, initial) in weights {
            var parameters = initial
            var state = AdamW.State(count: parameters.count)
            optimizer.update(&parameters, gradients: try #require(gradients[name]), state: &state, step: 1)
            let reference = try #require(expected[name])
            for (ours, theirs) in zip(parameters, reference) { largest = max(largest, abs(ours - theirs)) }
            #expect(parameters != initial, "\(name) did not move")
        }
        // An update is about lr = 1e-3; torch and this agree to a few Float32 ulps of the weights.
        #expect(largest <= 1e-7, "largest difference \(largest)")
    }

    @Test func laterStepsCorrectTheBiasOfBothMoments() {
        let optimizer = AdamW(learningRate: 0.1, weightDecay: 0)
        var parameters: [Float] = [1]
        var state = AdamW.State(count: 1)
        for step in 1...3 { optimizer.update(&parameters, gradients: [2], state: &state, step: step) }
        // A constant gradient: each bias-corrected step is lr·g/|g| (ε aside), three steps of 0.1.
        #expect(abs(parameters[0] - 0.7) < 1e-5)
        #expect(abs(state.firstMoment[0] - 2 * (1 - Float(0.9 * 0.9 * 0.9))) < 1e-5)
    }
}
