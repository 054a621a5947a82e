/// What a conversion does to a tensor's values beyond renaming it: the
/// inverse of what llama.cpp's `convert_hf_to_gguf.py` did, as
/// transformers' GGUF loader undoes it (`modeling_gguf_pytorch_utils.py`,
/// the `TensorProcessor` classes). Every transform maps a chunk of whole
/// `chunkUnit` elements to the same element range of its input, so a
/// tensor streams chunk by chunk.
public enum TensorTransform: Sendable, Equatable {
    /// The values as dequantized.
    case none
    /// `w − 1` in Float32: llama.cpp stores Gemma's RMSNorm weights as
    /// `1 + w` (`Gemma2TensorProcessor`).
    case subtractOne
    /// The inverse of llama.cpp's Q/K row permutation for `headCount`
    /// heads (`LlamaTensorProcessor._reverse_permute_weights`): inside
    /// each head's block of rows, stored row `2j + s` becomes row
    /// `s · half + j`, with `half` the head's rows over two.
    case unpermuteHeads(headCount: Int)

    /// The transform as the conversion plan's canonical text names it.
    public var canonicalName: String {
        switch self {
        case .none: "none"
        case .subtractOne: "subtract_one"
        case .unpermuteHeads(let heads): "unpermute_heads \(heads)"
        }
    }

    /// Elements every chunk is a whole number of, for a tensor of `shape`:
    /// whole heads' rows for the permutation, one element otherwise.
    public func chunkUnit(shape: [Int]) -> Int {
        guard case .unpermuteHeads(let heads) = self, let rows = shape.first, heads > 0 else { return 1 }
        return rows / heads * (shape.dropFirst().reduce(1, *))
    }

    /// Whether the result is computed in the decoded buffer itself.
    public var isInPlace: Bool {
        if case .unpermuteHeads = self { return false }
        return true
    }

    /// Transforms the decoded chunk `values` (a whole number of
    /// `chunkUnit` elements of a tensor of `shape`) and returns where the
    /// result is: `values` itself for an in-place transform, else the
    /// first `values.count` elements of `scratch`.
    public func apply(
        _ values: UnsafeMutableBufferPointer<Float>, shape: [Int], scratch: UnsafeMutableBufferPointer<Float>
    ) -> UnsafeBufferPointer<Float> {
        switch self {
        case .none:
            return UnsafeBufferPointer(values)
        case .subtractOne:
            for index in values.indices { values[index] -= 1 }
            return UnsafeBufferPointer(values)
        case .unpermuteHeads:
            let output = UnsafeMutableBufferPointer(rebasing: scratch[0..<values.count])
            unpermuteHeads(values, into: output, shape: shape)
            return UnsafeBufferPointer(output)
        }
    }

    private func unpermuteHeads(
        _ input: UnsafeMutableBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>, shape: [Int]
    ) {
        let unit = chunkUnit(shape: shape)
        guard let rows = shape.first, rows > 0, unit > 0, let source = input.baseAddress,
            let destination = output.baseAddress
        else { return }
        let rowLength = shape.dropFirst().reduce(1, *)
        let half = unit / rowLength / 2
        for head in stride(from: 0, to: input.count, by: unit) {
            for part in 0..<2 {
                for row in 0..<half {
                    (destination + head + (part * half + row) * rowLength).update(
                        from: source + head + (2 * row + part) * rowLength, count: rowLength)
                }
            }
        }
    }
}
