import Base
/// A seeded source of uniform and normal numbers that gives the same sequence on every machine:
/// xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number generators", 2021), its state
/// filled by SplitMix64 from the seed as the authors recommend, and Marsaglia's polar method for normals.
///
/// CMA-ES draws from it alone; `SystemRandomNumberGenerator` and Foundation are never used, so a run can be
/// replayed from its seed and journal.
struct SeededRandom: Sendable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    /// The second normal of the last polar pair, handed out by the next call.
    private var spareNormal: Double?

    init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    static func == (lhs: SeededRandom, rhs: SeededRandom) -> Bool {
        lhs.state == rhs.state && lhs.spareNormal == rhs.spareNormal
    }

    /// The next 64 random bits.
    mutating func nextBits() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    /// A uniform number in [0, 1) on a grid of 2^-53.
    mutating func nextUnit() -> Double {
        Double(nextBits() >> 11) * 0x1p-53
    }

    /// A uniform number in [-1, 1) on a grid of 2^-52.
    mutating func nextSignedUnit() -> Double {
        Double(nextBits() >> 11) * 0x1p-52 - 1
    }

    /// A standard normal number (mean 0, variance 1).
    mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        while true {
            let u = nextSignedUnit()
            let v = nextSignedUnit()
            let radiusSquared = u * u + v * v
            guard radiusSquared > 0, radiusSquared < 1 else { continue }
            let scale = (-2 * PortableMath.log(radiusSquared) / radiusSquared).squareRoot()
            spareNormal = v * scale
            return u * scale
        }
    }

    private func rotateLeft(_ value: UInt64, by bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }
}
