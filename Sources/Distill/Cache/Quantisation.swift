/// The fixed-point grid of every stored value: a multiple of 1/512 nat.
/// Round-to-nearest on that grid is off by at most 1/1024 ≈ 0.000977 < 1e-3,
/// and `Float(q) / 512` is exact for |q| ≤ 2^24, so the decoded Float
/// carries no further error.
enum Quantisation {
    /// Grid steps per nat.
    static let stepsPerNat: Double = 512
    /// The largest |q| stored: 2^24 steps, 32,768 nats.
    static let maximumSteps: UInt32 = 1 << 24
    /// The lowest log-probability kept as itself; lower ones (−∞ included)
    /// are stored as this floor. Log-softmax of Float32 logits over any real
    /// vocabulary stays far above it (a spread of 32,768 nats in the logits).
    static let logProbabilityFloor: Double = -Double(maximumSteps) / stepsPerNat

    /// Steps below zero of a log-probability (`−lp × 512`, rounded), or nil
    /// for NaN or a value above 0 by more than half a step.
    static func negatedSteps(ofLogProbability value: Double) -> UInt32? {
        guard !value.isNaN else { return nil }
        let scaled = (-max(value, logProbabilityFloor) * stepsPerNat).rounded(.toNearestOrEven)
        guard scaled >= 0 else { return scaled > -1 ? 0 : nil }
        return UInt32(scaled)  // checked: 0 ≤ scaled ≤ 2^24 by the floor
    }

    /// Signed steps of a log-sum-exp, or nil if not finite or beyond ±2^24 steps.
    static func steps(ofValue value: Double) -> Int32? {
        guard value.isFinite else { return nil }
        let scaled = (value * stepsPerNat).rounded(.toNearestOrEven)
        guard abs(scaled) <= Double(maximumSteps) else { return nil }
        return Int32(scaled)  // checked: |scaled| ≤ 2^24
    }

    /// The log-probability `−steps / 512` (exact in Float for steps ≤ 2^24).
    @inline(__always)
    static func logProbability(negatedSteps steps: UInt32) -> Float {
        -Float(steps) * (1 / 512)
    }

    /// The value `steps / 512`.
    @inline(__always)
    static func value(steps: Int32) -> Float {
        Float(steps) * (1 / 512)
    }
}
