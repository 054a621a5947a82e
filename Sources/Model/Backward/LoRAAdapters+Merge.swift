import Compute

extension LoRAAdapters {
    /// Fresh adapters as PEFT makes them: every A uniform in ±1/√in
    /// (Kaiming-uniform with a = √5, as `nn.Linear` initialises), every B
    /// zero, so the adapted model starts as the base. The draws come from
    /// `seed` alone (SplitMix64), the same on every machine.
    public static func initial(
        config: ModelConfig, rank: Int, alpha: Double, seed: UInt64
    ) throws(ModelError)
        -> LoRAAdapters
    {
        var state = seed
        var parameters: [String: [Float]] = [:]
        for (_, shape, a, b) in adapted(config) {
            let bound = 1 / Double(shape[1]).squareRoot()
            parameters[a] = (0..<rank * shape[1]).map { _ in
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                let unit = Double(z >> 11) / Double(1 << 53)
                return Float((2 * unit - 1) * bound)
            }
            parameters[b] = [Float](repeating: 0, count: shape[0] * rank)
        }
        return try LoRAAdapters(config: config, rank: rank, alpha: alpha, parameters: parameters)
    }

    /// The adapters' names in a fixed order: each adapted weight's A, then its B, layer by layer.
    public static func names(_ config: ModelConfig) -> [String] { adapted(config).flatMap { [$0.a, $0.b] } }

    /// `base` with every adapted weight replaced by `W + (alpha / rank)·B·A`.
    public func merged(into base: [String: [Float]], config: ModelConfig) -> [String: [Float]] {
        var merged = base
        for (weight, shape, a, b) in Self.adapted(config) {
            // checked: the init kept every adapter `adapted` names, and `base` holds every weight of `config`
            let (aValues, bValues) = (parameters[a]!, parameters[b]!)
            merged[weight]!.withUnsafeMutableBufferPointer { target in
                MatrixProduct.multiply(
                    m: shape[0], n: shape[1], k: rank, alpha: scale, a: bValues, lda: rank, b: aValues, ldb: shape[1],
                    transposeB: false, beta: 1, c: target.baseAddress!, ldc: shape[1])
            }
        }
        return merged
    }
}
