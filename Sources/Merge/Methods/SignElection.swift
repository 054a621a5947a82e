import Base
/// Adds the elements of one model's contributions that agree with the
/// elected sign (that of `sums`; zero counts as positive, and a zero
/// contribution agrees with nothing) to `kept`, and its weight to
/// `divisors` there. Eight lanes at a time with masks: the agreement
/// follows the data, so a branch per element would mispredict half the
/// time.
@inline(__always)
func electSigns(
    _ row: UnsafePointer<Float>, sums: UnsafePointer<Float>, weight: Float, kept: UnsafeMutablePointer<Float>,
    divisors: UnsafeMutablePointer<Float>, length: Int
) {
    typealias Lanes = SIMD8<Float>
    let zero = Lanes(repeating: 0), weights = Lanes(repeating: weight)
    var offset = 0
    while offset + 8 <= length {
        let value = UnsafeRawPointer(row + offset).loadUnaligned(as: Lanes.self)
        let sum = UnsafeRawPointer(sums + offset).loadUnaligned(as: Lanes.self)
        let nonNegative = sum .>= zero
        let agrees = (nonNegative .& (value .> zero)) .| (.!nonNegative .& (value .< zero))
        let keptLanes =
            UnsafeRawPointer(kept + offset).loadUnaligned(as: Lanes.self) + zero.replacing(with: value, where: agrees)
        let divisorLanes =
            UnsafeRawPointer(divisors + offset).loadUnaligned(as: Lanes.self)
            + zero.replacing(with: weights, where: agrees)
        UnsafeMutableRawPointer(kept + offset).storeBytes(of: keptLanes, as: Lanes.self)
        UnsafeMutableRawPointer(divisors + offset).storeBytes(of: divisorLanes, as: Lanes.self)
        offset += 8
    }
    while offset < length {
        let value = row[offset]
        let agrees = sums[offset] >= 0 ? value > 0 : value < 0
        if agrees { kept[offset] += value; divisors[offset] += weight }
        offset += 1
    }
}
