/// A tile of a batch's flat rows as one layer's token-wise steps see them:
/// pointers to the tile's first row of the batch buffers and a worker's
/// scratch. `rows` may run past the tile's tokens into rows no one reads,
/// so every matrix product stays on OpenBLAS's blocked kernels.
struct LayerTile {
    let rows: Int
    /// Each row's position in its record.
    let positions: UnsafePointer<Int32>
    let hidden: UnsafeMutablePointer<Float>
    let query: UnsafeMutablePointer<Float>
    let key: UnsafeMutablePointer<Float>
    let value: UnsafeMutablePointer<Float>
    /// The attention output (query-width rows).
    let attention: UnsafeMutablePointer<Float>
    /// Two hidden-width work areas of `rows` rows each.
    let work: UnsafeMutablePointer<Float>
    let work2: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let inverseFrequencies: [Float]
}

/// One layer's decoded weights by role: buffers reused from layer to
/// layer (every layer has the same shapes).
struct LayerWeights: Sendable {
    var buffers: [FloatBuffer?] = Array(repeating: nil, count: WeightRole.allCases.count)

    // checked: the engine loads every tensor the architecture lists before a layer runs
    subscript(role: WeightRole) -> UnsafePointer<Float> { UnsafePointer(buffers[role.rawValue]!.pointer) }

    func optional(_ role: WeightRole) -> UnsafePointer<Float>? {
        buffers[role.rawValue].map { UnsafePointer($0.pointer) }
    }
}
