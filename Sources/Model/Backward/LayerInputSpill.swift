import Base

/// Each layer's input rows of a training pass, written to a hidden file in
/// a folder after the layer's forward and read back for its backward, so
/// that a long batch holds one layer's input at a time instead of all of
/// them (for a 70B model at 4,096 tokens, 80 layers of 4,096 × 8,192
/// floats: 10.7 GB). The file is the pass's own and removed with it.
final class LayerInputSpill {
    private let path: String
    private let file: OpenFile
    /// Floats of one layer's input.
    private let count: Int

    init(folder: String, count: Int) throws {
        path = folder + "/.training-inputs.f32"
        file = try OpenFile.forUpdatingOrCreating(path)
        try file.truncate(to: 0)
        self.count = count
    }

    deinit { try? FileSystem.removeFile(path) }

    func write(_ input: FloatBuffer, layer: Int) throws {
        try file.write(
            UnsafeRawBufferPointer(start: input.pointer, count: count * 4), at: UInt64(layer) * UInt64(count) * 4)
    }

    func read(layer: Int, budget: ByteBudget) throws -> FloatBuffer {
        let input = try FloatBuffer(count: count, budget: budget, purpose: "training", zeroed: false)
        try file.read(
            into: UnsafeMutableRawBufferPointer(start: input.pointer, count: count * 4),
            at: UInt64(layer) * UInt64(count) * 4)
        return input
    }
}
