import Model
import Testing

/// LoRA adapters' losses and gradients against PyTorch autograd
/// (`GradientReference`: rank 4, alpha 8 on every projection, base frozen).
@Suite struct LoRAReferenceTests {
    @Test(arguments: GradientReference.architectures)
    func adapterGradientsMatchAutograd(architecture: String) throws {
        let reference = try GradientReference(architecture)
        let model = try reference.model()
        let adapters = try LoRAAdapters(
            config: model.config, rank: 4, alpha: 8, parameters: reference.tensors("lora.safetensors"))
        let loss = try model.lossAndGradients(records: reference.records, lambda: reference.lambda, adapters: adapters)
        let losses = try reference.losses("lora-losses.json")
        #expect(abs(loss.ce - (losses["ce"] ?? .nan)) < 1e-5)
        #expect(abs(loss.fusion - (losses["fusion"] ?? .nan)) < 1e-5)
        #expect(abs(loss.total - (losses["total"] ?? .nan)) < 1e-5)
        let expected = try reference.tensors("lora-gradients.safetensors")
        #expect(Set(loss.gradients.keys) == Set(expected.keys))
        for (name, values) in expected.sorted(by: { $0.key < $1.key }) {
            let difference = relativeDifference(loss.gradients[name] ?? [], values)
            #expect(difference < 1e-5, "\(name): \(difference)")
        }
    }
}
