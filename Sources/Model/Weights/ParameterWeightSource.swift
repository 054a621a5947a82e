/// A `LayerWeightSource` over Float32 tensors held in memory by name:
/// how a model being trained is run and evaluated.
public final class ParameterWeightSource: LayerWeightSource {
    public let name: String
    private let parameters: [String: [Float]]
    private let shapes: [String: [Int]]

    /// Serves `parameters`, shaped as `shapes` says (tensors without a shape are not served).
    public init(name: String, parameters: [String: [Float]], shapes: [(name: String, shape: [Int])]) {
        self.name = name
        self.parameters = parameters
        self.shapes = Dictionary(shapes.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first })
    }

    public func shape(of tensor: String) -> [Int]? {
        guard parameters[tensor] != nil else { return nil }
        return shapes[tensor]
    }

    public func decode(
        _ tensor: String, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>
    )
        throws
    {
        guard let values = parameters[tensor] else { throw ModelError.missingTensor(model: name, tensor: tensor) }
        precondition(elements.upperBound <= values.count && destination.count == elements.count, "range out of bounds")
        values.withUnsafeBufferPointer { values in
            // checked: destination holds elements.count floats
            destination.baseAddress!.update(from: values.baseAddress! + elements.lowerBound, count: elements.count)
        }
    }
}
