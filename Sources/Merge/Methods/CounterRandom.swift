import Base
import Checkpoint

/// Counter-based random numbers for the random methods (DESIGN.md,
/// principle 4): the draw for an element is a pure function of (seed,
/// tensor name, model index, element index), so no chunking, thread count
/// or resume can change it. The mixing is SplitMix64's finaliser applied
/// to a Weyl sequence, keyed per (seed, tensor, model).
public struct CounterRandom: Sendable {
    private let key: UInt64

    public init(seed: UInt64, tensorName: String, modelIndex: Int) {
        let nameDigest = XXH3.digest(Array(tensorName.utf8))
        key = Self.mix(Self.mix(seed ^ 0x736D_656C_7421) ^ nameDigest ^ Self.mix(UInt64(modelIndex) &+ 0x9E37_79B9))
    }

    /// A uniform draw in [0, 1) with 24 random bits, exact in Float32.
    @inline(__always)
    public func uniform(_ element: Int) -> Float {
        let bits = Self.mix(key &+ UInt64(truncatingIfNeeded: element) &* 0x9E37_79B9_7F4A_7C15)
        return Float(bits >> 40) * 0x1p-24
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
