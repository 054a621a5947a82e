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

    /// The adapters' names and shapes in `names` order.
    public static func shapes(_ config: ModelConfig, rank: Int) -> [(name: String, shape: [Int])] {
        adapted(config).flatMap { [($0.a, [rank, $0.shape[1]]), ($0.b, [$0.shape[0], rank])] }
    }
}
