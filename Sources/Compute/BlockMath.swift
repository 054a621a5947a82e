import Base
/// Float64 reductions over one reduction block, in a fixed order (four
/// interleaved accumulators added at the end), so a block's sum is the same
/// whatever chunk it sits in (DESIGN.md, principle 4).
public enum BlockMath {
    /// Σ a·b over `range`.
    @inlinable @inline(__always)
    public static func dot(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, _ range: Range<Int>
    ) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var index = range.lowerBound
        while index + 4 <= range.upperBound {
            s0 += Double(a[index]) * Double(b[index])
            s1 += Double(a[index + 1]) * Double(b[index + 1])
            s2 += Double(a[index + 2]) * Double(b[index + 2])
            s3 += Double(a[index + 3]) * Double(b[index + 3])
            index += 4
        }
        while index < range.upperBound { s0 += Double(a[index]) * Double(b[index]); index += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Σ (a − c)·(b − c) over `range`: the dot product of two task vectors
    /// against the base `c` (with no base, of the vectors themselves).
    @inlinable @inline(__always)
    public static func dot(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, minus c: UnsafeBufferPointer<Float>?,
        _ range: Range<Int>
    ) -> Double {
        guard let c else { return dot(a, b, range) }
        var s0 = 0.0, s1 = 0.0
        var index = range.lowerBound
        while index + 2 <= range.upperBound {
            s0 += Double(a[index] - c[index]) * Double(b[index] - c[index])
            s1 += Double(a[index + 1] - c[index + 1]) * Double(b[index + 1] - c[index + 1])
            index += 2
        }
        while index < range.upperBound { s0 += Double(a[index] - c[index]) * Double(b[index] - c[index]); index += 1 }
        return s0 + s1
    }
}
