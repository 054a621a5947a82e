import Base

/// A tile of a batch's flat rows as one layer's token-wise steps see them:
/// pointers to the tile's first row of the batch buffers and a worker's
/// scratch. `rows` may run past the tile's tokens into rows no one reads,
/// so every matrix product stays on OpenBLAS's blocked kernels.
struct LayerTile {
    let rows: Int
    /// Each row's position in its record.
    let positions: UnsafePointer<Int32>
    let hidden: UnsafeMutablePointer<Float>
    /// Rows of `[query | key | value]`, `queryKeyValueStride` floats apart
    /// (one product writes all three).
    let queryKeyValue: UnsafeMutablePointer<Float>
    let queryKeyValueStride: Int
    let queryWidth: Int
    let keyValueWidth: Int
    /// The attention output (query-width rows).
    let attention: UnsafeMutablePointer<Float>
    /// Two hidden-width work areas of `rows` rows each.
    let work: UnsafeMutablePointer<Float>
    let work2: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let inverseFrequencies: [Float]

    /// The first row's query, key and value (rows `queryKeyValueStride` apart).
    var query: UnsafeMutablePointer<Float> { queryKeyValue }
    var key: UnsafeMutablePointer<Float> { queryKeyValue + queryWidth }
    var value: UnsafeMutablePointer<Float> { queryKeyValue + queryWidth + keyValueWidth }
}

/// One layer's decoded weights: one buffer holding every tensor in the
/// order the architecture lists them, reused from layer to layer (every
/// layer has the same shapes). Tensors listed next to each other are next
/// to each other here, so one product can run over several of them (q, k
/// and v; gate and up).
struct LayerWeights: Sendable {
    let storage: FloatBuffer
    /// Each role's first float in `storage` (nil: the layer has no such tensor).
    let offsets: [Int?]

    /// A buffer for tensors shaped as `tensors`, laid out in their order.
    init(tensors: [LayerTensor], budget: ByteBudget) throws(ByteBudgetError) {
        var offsets = [Int?](repeating: nil, count: WeightRole.allCases.count)
        var cursor = 0
        for tensor in tensors {
            offsets[tensor.role.rawValue] = cursor
            cursor += tensor.shape.reduce(1, *)
        }
        self.offsets = offsets
        storage = try FloatBuffer(count: cursor, budget: budget, purpose: "layer weights")
    }

    // checked: the engine loads every tensor the architecture lists before a layer runs
    subscript(role: WeightRole) -> UnsafePointer<Float> { UnsafePointer(storage.pointer + offsets[role.rawValue]!) }

    func optional(_ role: WeightRole) -> UnsafePointer<Float>? {
        offsets[role.rawValue].map { UnsafePointer(storage.pointer + $0) }
    }

    /// Where `role`'s tensor of `count` floats is written.
    func destination(_ role: WeightRole, count: Int) -> UnsafeMutableBufferPointer<Float> {
        // checked: built from the same tensor list the loader walks
        UnsafeMutableBufferPointer(start: storage.pointer + offsets[role.rawValue]!, count: count)
    }
}
