/// Where a training pass puts the gradients of the weights it reads from
/// its source: added, so that passes over several batches accumulate.
public protocol GradientSink: AnyObject {
    /// Adds `values` into elements `elements` of `tensor`'s gradient.
    func add(_ tensor: String, elements: Range<Int>, _ values: UnsafeBufferPointer<Float>) throws
}

/// Gradients held in memory, one array per tensor, zero until added to.
public final class GradientBuffers: GradientSink {
    public private(set) var gradients: [String: [Float]] = [:]
    private let counts: [String: Int]

    /// Buffers for tensors of these names and element counts.
    public init(counts: [String: Int]) { self.counts = counts }

    public func add(_ tensor: String, elements: Range<Int>, _ values: UnsafeBufferPointer<Float>) throws {
        guard let count = counts[tensor] else { throw ModelError.missingTensor(model: "gradients", tensor: tensor) }
        guard elements.upperBound <= count, elements.count == values.count else {
            throw ModelError.shapeMismatch(
                model: "gradients", tensor: tensor, expected: [count], found: [elements.upperBound, values.count])
        }
        if gradients[tensor] == nil { gradients[tensor] = [Float](repeating: 0, count: count) }
        // checked: created above
        gradients[tensor]!.withUnsafeMutableBufferPointer { target in
            for (offset, value) in values.enumerated() { target[elements.lowerBound + offset] += value }
        }
    }
}
