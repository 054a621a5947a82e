/// Weights served from Float32 arrays in memory, under their Hugging Face
/// names: the parameters of a model being trained, for the forward pass
/// to score with (evaluation during `smelt distill`).
public final class ParameterWeightSource: LayerWeightSource {
    public let name: String
    let tensors: [String: [Float]]
    let shapes: [String: [Int]]

    /// Every tensor of `shapes` whose values `tensors` holds (each of its
    /// shape's element count: others are left out, so the forward pass
    /// reports them missing or of another shape).
    public init(name: String, tensors: [String: [Float]], shapes: [(name: String, shape: [Int])]) {
        self.name = name
        var kept: [String: [Int]] = [:]
        for (tensor, shape) in shapes {
            guard let values = tensors[tensor] else { continue }
            kept[tensor] = values.count == shape.reduce(1, *) ? shape : [values.count]
        }
        self.tensors = tensors
        self.shapes = kept
    }

    public func shape(of tensor: String) -> [Int]? { shapes[tensor] }

    public func decode(
        _ tensor: String, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>
    ) throws {
        guard let values = tensors[tensor], shapes[tensor] != nil else {
            throw ModelError.missingTensor(model: name, tensor: tensor)
        }
        guard elements.lowerBound >= 0, elements.upperBound <= values.count, destination.count == elements.count else {
            throw ModelError.shapeMismatch(
                model: name, tensor: tensor, expected: [elements.upperBound], found: [values.count])
        }
        values.withUnsafeBufferPointer { source in
            // checked: a non-empty range lies inside `values`, so both buffers have storage
            guard !elements.isEmpty else { return }
            destination.baseAddress!.update(from: source.baseAddress! + elements.lowerBound, count: elements.count)
        }
    }
}
