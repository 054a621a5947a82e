/// A box of per-coordinate bounds and the mirroring that maps any point into it.
///
/// Mirroring reflects a coordinate at the bound it crosses, as light between two mirrors: with both bounds
/// finite the reflection is periodic with period 2(u − l), so x = l − d maps to l + d, x = u + d to u − d, and a
/// value several box widths away still lands inside. With one bound infinite it is a single reflection at the
/// finite one. Inside the box nothing changes, so unbounded coordinates and points already inside are exact.
struct CMAESBounds: Sendable, Equatable {
    /// The least value of each coordinate; `-infinity` where there is none.
    let lower: [Double]
    /// The greatest value of each coordinate; `+infinity` where there is none.
    let upper: [Double]

    /// Validates the settings' bounds for a start point; nil when the settings have none.
    init?(settings: CMAESSettings, mean: [Double]) throws(CMAESError) {
        guard settings.lowerBounds != nil || settings.upperBounds != nil else { return nil }
        let n = mean.count
        let lower = settings.lowerBounds ?? [Double](repeating: -.infinity, count: n)
        let upper = settings.upperBounds ?? [Double](repeating: .infinity, count: n)
        guard lower.count == n else { throw .boundsCountMismatch(side: .lower, expected: n, found: lower.count) }
        guard upper.count == n else { throw .boundsCountMismatch(side: .upper, expected: n, found: upper.count) }
        for i in 0..<n {
            guard lower[i] < upper[i], lower[i] != .infinity, upper[i] != -.infinity else {
                throw .invalidBounds(index: i, lower: lower[i], upper: upper[i])
            }
            guard mean[i] >= lower[i], mean[i] <= upper[i] else {
                throw .meanOutsideBounds(index: i, value: mean[i], lower: lower[i], upper: upper[i])
            }
        }
        self.lower = lower
        self.upper = upper
    }

    /// Mirrors every coordinate of `point` into the box in place.
    func mirror(_ point: inout [Double]) {
        for i in point.indices {
            point[i] = Self.mirror(point[i], lower: lower[i], upper: upper[i])
        }
    }

    /// Reflects `x` into [lower, upper] (see the type's summary).
    static func mirror(_ x: Double, lower: Double, upper: Double) -> Double {
        if x >= lower && x <= upper { return x }
        if !lower.isFinite { return 2 * upper - x }
        if !upper.isFinite { return 2 * lower - x }
        let width = upper - lower
        // The offset from `lower` modulo the period 2·width, in [0, 2·width); the remainder is exact in IEEE.
        var offset = (x - lower).truncatingRemainder(dividingBy: 2 * width)
        if offset < 0 { offset += 2 * width }
        if offset > width { offset = 2 * width - offset }
        // Rounding of lower + offset may step one unit past a bound; clamp it back.
        return min(max(lower + offset, lower), upper)
    }
}
