import Base
import CKernels

/// Loops the compiler would not vectorise on its own (it cannot prove the
/// buffers do not overlap), written eight lanes at a time. Each lane does
/// exactly the scalar arithmetic, so results are the same bits.
public enum VectorLoops {
    public typealias Lanes = SIMD8<Float>

    @inlinable @inline(__always) public static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }
    @inlinable @inline(__always) public static func store(_ lanes: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: Lanes.self)
    }

    /// acc[i] += a[i] − b[i]
    @inlinable @inline(__always)
    public static func addDifference(
        _ acc: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ length: Int
    ) {
        var i = 0
        while i + 8 <= length { store(load(acc + i) + (load(a + i) - load(b + i)), acc + i); i += 8 }
        while i < length { acc[i] += a[i] - b[i]; i += 1 }
    }

    /// acc[i] += (a[i] − b[i] − mean[i])²
    @inlinable @inline(__always)
    public static func addSquaredDeviation(
        _ acc: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ mean: UnsafePointer<Float>, _ length: Int
    ) {
        var i = 0
        while i + 8 <= length {
            let d = load(a + i) - load(b + i) - load(mean + i)
            store(load(acc + i) + d * d, acc + i)
            i += 8
        }
        while i < length { let d = a[i] - b[i] - mean[i]; acc[i] += d * d; i += 1 }
    }

    /// out[i] = a[i] · factor (`out` may be `a`)
    @inlinable @inline(__always)
    public static func multiply(
        _ a: UnsafePointer<Float>, by factor: Float, into out: UnsafeMutablePointer<Float>, _ length: Int
    ) {
        var i = 0
        let lanes = Lanes(repeating: factor)
        while i + 8 <= length { store(load(a + i) * lanes, out + i); i += 8 }
        while i < length { out[i] = a[i] * factor; i += 1 }
    }

    /// The largest of `length` values, −∞ for none (NaNs never win;
    /// sixteen running maxima, not a chain of scalar selects).
    @inlinable
    public static func largest(_ values: UnsafePointer<Float>, _ length: Int) -> Float {
        var lanes = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= length {
            let next = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD16<Float>.self)
            lanes = lanes.replacing(with: next, where: next .> lanes)
            i += 16
        }
        var result = -Float.infinity
        for lane in 0..<16 where lanes[lane] > result { result = lanes[lane] }
        while i < length {
            if values[i] > result { result = values[i] }
            i += 1
        }
        return result
    }

    /// acc[i] /= divisor
    @inlinable @inline(__always)
    public static func divide(_ acc: UnsafeMutablePointer<Float>, by divisor: Float, _ length: Int) {
        var i = 0
        let lanes = Lanes(repeating: divisor)
        while i + 8 <= length { store(load(acc + i) / lanes, acc + i); i += 8 }
        while i < length { acc[i] /= divisor; i += 1 }
    }

    /// τ = mask·(a − b); sums += τ; weighted = w·τ
    @inlinable @inline(__always)
    public static func maskedTask(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, mask: UnsafePointer<Float>, weight: Float,
        sums: UnsafeMutablePointer<Float>, weighted: UnsafeMutablePointer<Float>, _ length: Int
    ) {
        var i = 0
        let weights = Lanes(repeating: weight)
        while i + 8 <= length {
            let task = load(mask + i) * (load(a + i) - load(b + i))
            store(load(sums + i) + task, sums + i)
            store(weights * task, weighted + i)
            i += 8
        }
        while i < length {
            let task = mask[i] * (a[i] - b[i])
            sums[i] += task
            weighted[i] = weight * task
            i += 1
        }
    }

    /// Σ |a[i] − b[i]| and Σ of the terms where keep[i] ≠ 0, each in Float64
    /// in index order. A pruned term adds +0 (no bit changes: the sums are
    /// never −0) through a mask, not a branch that random keeps defeat. A C
    /// loop (CKernels): Swift's select here compiled to that branch.
    @inlinable @inline(__always)
    public static func magnitudeSums(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, keep: UnsafePointer<Float>, _ length: Int
    ) -> (total: Double, kept: Double) {
        var total = 0.0, kept = 0.0
        smelt_magnitude_sums(a, b, keep, length, &total, &kept)
        return (total, kept)
    }

    /// out[i] = (|a[i] − b[i]| selected ? scale : 0·scale) · (a[i] − b[i]),
    /// selected when the magnitude's bit pattern is above `cut` (or equal,
    /// with `includingEqual`): a task vector pruned by magnitude and
    /// weighted, with the roundings of mask · scale · τ. A C loop, in AVX2
    /// where the CPU has it (CKernels).
    @inlinable @inline(__always)
    public static func keptTask(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, cut: UInt32, includingEqual: Bool, scale: Float,
        _ out: UnsafeMutablePointer<Float>, _ length: Int
    ) {
        smelt_kept_task(a, b, cut, includingEqual ? 1 : 0, scale, out, length)
    }

    /// Over whole groups of eight: counts the keys |a[i] − b[i]| ^ flip
    /// (as bit patterns) above `highest` and those inside equal to `hot`,
    /// and writes to `groups` the first index of every group holding a key
    /// from `lowest` to `highest` other than `hot`. Branch-free, with nothing but the loop in
    /// registers: the groups are few and looked at afterwards, and a tie
    /// that holds a cut-off (the hot key) is counted here, not key by key.
    @inline(never)
    public static func countAboveMarkingInside(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, flip: UInt32, lowest: UInt32, highest: UInt32,
        hot: UInt32, count: Int, groups: UnsafeMutablePointer<Int32>
    ) -> (above: Int, hot: Int, groupCount: Int) {
        typealias Keys = SIMD8<UInt32>
        typealias Signed = SIMD8<Int32>
        // Unsigned order compared as signed order with the top bit flipped,
        // which AVX2 compares in one instruction.
        let sign = Keys(repeating: 0x8000_0000), magnitudeBits = Keys(repeating: 0x7FFF_FFFF),
            flips = Keys(repeating: flip), hots = Keys(repeating: hot)
        let highs = unsafeBitCast(Keys(repeating: highest) ^ sign, to: Signed.self)
        let spans = unsafeBitCast(Keys(repeating: highest &- lowest) ^ sign, to: Signed.self)
        let lowests = Keys(repeating: lowest), ones = Signed(repeating: 1)
        var above = Signed(), hotCount = Signed()
        var groupCount = 0
        var index = 0
        while index + 8 <= count {
            let task = load(a + index) - load(b + index)
            let keys = (unsafeBitCast(task, to: Keys.self) & magnitudeBits) ^ flips
            above &+= Signed().replacing(with: ones, where: unsafeBitCast(keys ^ sign, to: Signed.self) .> highs)
            let inside = unsafeBitCast((keys &- lowests) ^ sign, to: Signed.self) .<= spans
            let isHot = inside .& (keys .== hots)
            hotCount &+= Signed().replacing(with: ones, where: isHot)
            groups[groupCount] = Int32(truncatingIfNeeded: index)
            groupCount &+= any(inside .& .!isHot) ? 1 : 0
            index += 8
        }
        return (Int(above.wrappedSum()), Int(hotCount.wrappedSum()), groupCount)
    }

    /// mask[i] = keys[i] > cut ? 1 : 0, or ≥ with `includingEqual`, when
    /// a mask is given; returns how many keys equal `cut`.
    @inlinable @inline(__always)
    public static func markAbove(
        _ keys: UnsafePointer<UInt32>, _ cut: UInt32, includingEqual: Bool, _ mask: UnsafeMutablePointer<UInt8>?,
        _ length: Int
    ) -> Int {
        typealias Keys = SIMD8<UInt32>
        let cuts = Keys(repeating: cut)
        let ones = Keys(repeating: 1)
        var equal = Keys()
        var i = 0
        while i + 8 <= length {
            let lanes = UnsafeRawPointer(keys + i).loadUnaligned(as: Keys.self)
            let isEqual = lanes .== cuts
            if let mask {
                let isSelected = includingEqual ? (lanes .> cuts) .| isEqual : lanes .> cuts
                UnsafeMutableRawPointer(mask + i).storeBytes(
                    of: SIMD8<UInt8>(truncatingIfNeeded: Keys().replacing(with: ones, where: isSelected)),
                    as: SIMD8<UInt8>.self)
            }
            equal &+= Keys().replacing(with: ones, where: isEqual)
            i += 8
        }
        var equalCount = Int(equal.wrappedSum())
        while i < length {
            mask?[i] = keys[i] > cut || (includingEqual && keys[i] == cut) ? 1 : 0
            equalCount += keys[i] == cut ? 1 : 0
            i += 1
        }
        return equalCount
    }
}
