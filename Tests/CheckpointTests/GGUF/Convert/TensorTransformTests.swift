import Checkpoint
import Testing

/// The transforms as transformers' GGUF loader defines them: the Q/K
/// permutation undone exactly (llama.cpp's `permute` followed by ours is
/// the identity), Gemma's norms minus one in Float32, and chunks of whole
/// heads that give the same result as the whole tensor.
@Suite struct TensorTransformTests {
    /// llama.cpp's `permute` (convert_hf_to_gguf.py), by index: row
    /// `(h, s, j)` of the Hugging Face tensor, viewed as
    /// `(heads, 2, rows / heads / 2)`, is stored at `(h, j, s)`.
    static func llamaCppPermute(_ values: [Float], rows: Int, rowLength: Int, heads: Int) -> [Float] {
        let half = rows / heads / 2
        var stored = values
        for head in 0..<heads {
            for part in 0..<2 {
                for row in 0..<half {
                    let from = (head * 2 * half + part * half + row) * rowLength
                    let to = (head * 2 * half + row * 2 + part) * rowLength
                    for column in 0..<rowLength { stored[to + column] = values[from + column] }
                }
            }
        }
        return stored
    }

    static func apply(_ transform: TensorTransform, _ values: [Float], shape: [Int]) -> [Float] {
        var input = values
        var scratch = [Float](repeating: .nan, count: values.count)
        return input.withUnsafeMutableBufferPointer { input in
            scratch.withUnsafeMutableBufferPointer { scratch in
                Array(transform.apply(input, shape: shape, scratch: scratch))
            }
        }
    }

    @Test(arguments: [(16, 3, 2), (24, 5, 3), (8, 1, 1), (576, 2, 9)])
    func unpermutingUndoesLlamaCppsPermutation(rows: Int, rowLength: Int, heads: Int) {
        let original = (0..<rows * rowLength).map { Float($0) }
        let stored = Self.llamaCppPermute(original, rows: rows, rowLength: rowLength, heads: heads)
        #expect(stored != original || rows / heads == 2)
        let restored = Self.apply(.unpermuteHeads(headCount: heads), stored, shape: [rows, rowLength])
        #expect(restored == original)
    }

    @Test func unpermutingMatchesTransformersReshape() {
        // transformers: w.reshape(heads, dim, 2, cols).swapaxes(2, 1): output (h, s, j) = input (h, j, s).
        let (heads, dim, columns) = (2, 3, 2)
        let input = (0..<heads * dim * 2 * columns).map { Float($0) }
        var expected: [Float] = []
        for head in 0..<heads {
            for part in 0..<2 {
                for row in 0..<dim {
                    let source = ((head * dim + row) * 2 + part) * columns
                    expected += input[source..<source + columns]
                }
            }
        }
        #expect(Self.apply(.unpermuteHeads(headCount: heads), input, shape: [heads * dim * 2, columns]) == expected)
    }

    @Test func aChunkOfWholeHeadsGivesTheRowsOfTheWholeTensor() {
        let (rows, rowLength, heads) = (32, 4, 4)
        let transform = TensorTransform.unpermuteHeads(headCount: heads)
        let unit = transform.chunkUnit(shape: [rows, rowLength])
        #expect(unit == rows / heads * rowLength)
        let values = (0..<rows * rowLength).map { Float($0 % 17) - 8 }
        let whole = Self.apply(transform, values, shape: [rows, rowLength])
        var pieces: [Float] = []
        for start in stride(from: 0, to: values.count, by: 2 * unit) {
            pieces += Self.apply(transform, Array(values[start..<start + 2 * unit]), shape: [rows, rowLength])
        }
        #expect(pieces == whole)
    }

    @Test func subtractOneIsAFloat32Subtraction() {
        let values: [Float] = [1, 1.0000001, 0.5, -2, 3e-8, .infinity]
        #expect(Self.apply(.subtractOne, values, shape: [6]) == values.map { $0 - 1 })
        #expect(TensorTransform.subtractOne.chunkUnit(shape: [6]) == 1)
        #expect(TensorTransform.subtractOne.isInPlace && !TensorTransform.unpermuteHeads(headCount: 2).isInPlace)
    }

    @Test func namesInThePlanAreStable() {
        #expect(TensorTransform.none.canonicalName == "none")
        #expect(TensorTransform.subtractOne.canonicalName == "subtract_one")
        #expect(TensorTransform.unpermuteHeads(headCount: 9).canonicalName == "unpermute_heads 9")
    }
}
