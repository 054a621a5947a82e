import Model
import Testing

/// The backward pass against central differences of its own forward pass,
/// on tiny random models built here (no fixture): a check of the calculus
/// independent of PyTorch.
@Suite struct FiniteDifferenceTests {
    /// Each tensor's gradient at a few entries within 2e-3 of the tensor's
    /// largest gradient of `(L(w + h) − L(w − h)) / 2h`, h = 1e-2 (seen: 3e-4), where the
    /// loss is taken in Float64 from the Float32 logits.
    @Test(arguments: ["llama", "qwen2"])
    func gradientsMatchCentralDifferences(kind: String) throws {
        let model = try TinyTrainable.model(kind: kind, seed: kind == "llama" ? 7 : 11)
        let records = TinyTrainable.records(vocabularySize: model.config.vocabularySize)
        let lambda = 0.7
        let gradients = try model.lossAndGradients(records: records, lambda: lambda).gradients
        for (name, _) in model.parameterShapes {
            // checked: lossAndGradients returns every parameter's gradient
            let gradient = gradients[name]!
            let scale = gradient.map { Double(abs($0)) }.max() ?? 0
            #expect(scale > 0, "\(name) has no gradient")
            for index in TinyTrainable.probes(count: gradient.count) {
                let step: Float = 1e-2
                var parameters = model.parameters
                let weight = parameters[name]![index]
                parameters[name]![index] = weight + step
                let above = try TrainableModel(config: model.config, parameters: parameters)
                    .lossAndGradients(records: records, lambda: lambda).total
                parameters[name]![index] = weight - step
                let below = try TrainableModel(config: model.config, parameters: parameters)
                    .lossAndGradients(records: records, lambda: lambda).total
                let estimate = (above - below) / (Double(weight + step) - Double(weight - step))
                #expect(
                    abs(estimate - Double(gradient[index])) <= 2e-3 * scale,
                    "\(name)[\(index)]: \(gradient[index]) vs \(estimate)")
            }
        }
    }
}
