/// Where the forward pass gets its weights, tensor by tensor, by their
/// Hugging Face names (DESIGN.md, "Layers"): Model reads a checkpoint;
/// Evolve will provide a source that merges each layer on the fly.
/// Sources are shared by worker threads.
public protocol LayerWeightSource: AnyObject, Sendable {
    /// The model, for messages.
    var name: String { get }
    /// The shape of a tensor, nil when the source has no such tensor.
    func shape(of tensor: String) -> [Int]?
    /// Decodes elements `elements` of `tensor` (row-major) into
    /// `destination`, exactly `elements.count` values.
    func decode(_ tensor: String, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws
}

extension LayerWeightSource {
    /// Refuses a missing tensor or one whose shape is not `expected`.
    public func check(_ tensor: String, shape expected: [Int]) throws(ModelError) {
        guard let found = shape(of: tensor) else { throw .missingTensor(model: name, tensor: tensor) }
        guard found == expected else {
            throw .shapeMismatch(model: name, tensor: tensor, expected: expected, found: found)
        }
    }
}
