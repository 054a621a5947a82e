import Compute

/// A model's weights with LoRA adapters merged in as they are read: each
/// adapted weight's rows come out as `W + (alpha / rank)·B·A` (only the
/// rows a read covers are multiplied), every other tensor as the base
/// source has it. How a LoRA run is evaluated and written.
public final class AdaptedWeightSource: LayerWeightSource {
    public let base: any LayerWeightSource
    public let adapters: LoRAAdapters
    public var name: String { base.name }

    public init(base: any LayerWeightSource, adapters: LoRAAdapters) {
        self.base = base
        self.adapters = adapters
    }

    public func shape(of tensor: String) -> [Int]? { base.shape(of: tensor) }

    public func decode(
        _ tensor: String, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>
    )
        throws
    {
        try base.decode(tensor, elements: elements, into: destination)
        let prefix = tensor.hasSuffix(".weight") ? String(tensor.dropLast(".weight".count)) + "." : tensor
        guard !elements.isEmpty, let a = adapters.parameters[prefix + "lora_A.weight"],
            let b = adapters.parameters[prefix + "lora_B.weight"]
        else { return }
        let rank = adapters.rank
        let inputs = a.count / rank
        let (firstRow, endRow) = (elements.lowerBound / inputs, (elements.upperBound + inputs - 1) / inputs)
        var rows = [Float](repeating: 0, count: (endRow - firstRow) * inputs)
        b.withUnsafeBufferPointer { b in
            // checked: adapters and the rows have ≥ 1 element
            MatrixProduct.multiply(
                m: endRow - firstRow, n: inputs, k: rank, alpha: adapters.scale, a: b.baseAddress! + firstRow * rank,
                lda: rank, b: a, ldb: inputs, transposeB: false, c: &rows, ldc: inputs)
        }
        let offset = elements.lowerBound - firstRow * inputs
        for index in 0..<elements.count { destination[index] += rows[offset + index] }
    }
}
