import CKernels

/// e^x of eight Float32 lanes by range reduction and a polynomial (Cephes
/// `expf`: x = n·ln 2 + r, |r| ≤ ln 2 / 2, degree-5 minimax for e^r),
/// within 2 ulp for x in [−87, 88]; below, 0. Plain arithmetic, so the
/// result is the same on every CPU (the C library's `expf` may not be).
public enum VectorExponential {
    public typealias Lanes = SIMD8<Float>

    @inlinable
    public static func exp(_ x: Lanes) -> Lanes {
        // Comparisons and selects, not `clamped`: its generic min and max
        // are specialised but not inlined, and cost a call per vector.
        let low = x.replacing(with: -87.3, where: x .< -87.3)
        let clamped = low.replacing(with: 88.3, where: low .> 88.3)
        // Round to nearest by the 1.5·2²³ trick (generic SIMD rounding and
        // conversions are not specialised, and cost more than the polynomial).
        let n = (clamped * 1.442_695_04 + 12_582_912) - 12_582_912
        var r = clamped - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p = Lanes(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        // 2ⁿ: n + 127 lands in the low mantissa bits of n + 2²³ + 127.
        let biased = unsafeBitCast(n + 8_388_735, to: SIMD8<UInt32>.self)
        let scale = unsafeBitCast((biased & 0xFF) &<< 23, to: Lanes.self)
        return (p * scale).replacing(with: 0, where: x .< -87.3)
    }

    /// Σ e^(values[i] − shift) over `count` values, each lane summed in
    /// Float64 and the lanes combined in a fixed order (`exp` lane by lane,
    /// in CKernels: vector-width variants chosen at run time).
    @inlinable
    public static func sumOfExponentials(_ values: UnsafePointer<Float>, count: Int, shift: Float) -> Double {
        smelt_sum_exponentials(values, count, shift)
    }

    /// Σ e^((values[i] − shift) · scale), summed as `sumOfExponentials`.
    @inlinable
    public static func sumOfExponentials(
        _ values: UnsafePointer<Float>, count: Int, shift: Float, scale: Float
    ) -> Double {
        smelt_sum_scaled_exponentials(values, count, shift, scale)
    }

    /// Replaces `values[i]` by e^(values[i] − shift) and returns their sum
    /// (eight Float32 lane sums combined in a fixed order).
    @inlinable
    public static func exponentiate(_ values: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        smelt_exponentiate(values, count, shift)
    }

    /// `gate[i] ← gate[i] / (1 + e^−gate[i]) · up[i]` (SiLU-gated units).
    @inlinable
    public static func siluGate(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        smelt_silu_gate(gate, up, count)
    }
}
