/// The natural logarithm and exponential in plain IEEE-754 arithmetic, so that CMA-ES and fusion give bit-identical
/// results on every machine: the C library's `log` and `exp` differ between platforms and versions in the
/// last bit, and one bit is enough for a replayed run to drift.
///
/// Both reduce the argument by powers of two (exact) and evaluate a fixed series with `+`, `-`, `*` and `/`,
/// which IEEE-754 rounds identically everywhere (Swift does not contract them into fused multiply-adds).
/// Accuracy is a few units in the last place, ample for step sizes and recombination weights.
public enum PortableMath {
    private static let ln2High = 6.93147180369123816490e-01
    private static let ln2Low = 1.90821492927058770002e-10

    /// ln(x) for x > 0; NaN for negative or NaN input, -infinity for 0, +infinity for +infinity.
    public static func log(_ x: Double) -> Double {
        guard x > 0 else { return x == 0 ? -.infinity : .nan }
        guard x.isFinite else { return x }
        // x = 2^k * m with m in [sqrt(1/2), sqrt(2)).
        var exponent = Double(Int(x.exponent))
        var significand = x.significand
        if significand > 1.4142135623730951 {
            significand *= 0.5
            exponent += 1
        }
        // ln m = 2 atanh(s) with s = (m - 1) / (m + 1), |s| < 0.172: the odd series to s^25 is exact to 1e-19.
        let s = (significand - 1) / (significand + 1)
        let s2 = s * s
        var series = 1.0 / 25
        var denominator = 23.0
        while denominator >= 1 {
            series = series * s2 + 1 / denominator
            denominator -= 2
        }
        let logSignificand = 2 * s * series
        return exponent * ln2High + (exponent * ln2Low + logSignificand)
    }

    /// e^x; +infinity above about 709.78 and 0 below about -745.13.
    public static func exp(_ x: Double) -> Double {
        guard !x.isNaN else { return x }
        if x > 709.782712893384 { return .infinity }
        if x < -745.1332191019412 { return 0 }
        // x = k ln 2 + r with |r| <= ln(2)/2; e^r by its Taylor series to r^18 (error below 1e-20).
        let k = (x / 0.6931471805599453).rounded(.toNearestOrEven)
        let r = (x - k * ln2High) - k * ln2Low
        var series = 1.0
        var term = 18.0
        while term >= 1 {
            series = 1 + series * r / term
            term -= 1
        }
        // Scale in two exact steps so that results near the subnormal range are not flushed early.
        let half = Int(k) / 2
        return Double(sign: .plus, exponent: half, significand: 1)
            * Double(sign: .plus, exponent: Int(k) - half, significand: series)
    }
}
