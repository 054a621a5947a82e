/// Levenshtein distance between byte strings: the fewest single-byte
/// insertions, deletions and substitutions (each of cost 1) that turn one
/// string into the other.
///
/// FuseLLM aligns two tokenizers' tokens by this distance (Wan et al., 2024,
/// "Knowledge Fusion of Large Language Models", section 3.3), both to map a
/// teacher's vocabulary onto a student's and as the cell cost of its
/// dynamic time warping.
public enum EditDistance {
    /// The exact distance between `a` and `b`.
    public static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var row: [Int32] = []
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                distance(a, b, limit: max(a.count, b.count), row: &row)
            }
        }
    }

    /// The distance between `a` and `b` when it is at most `limit`; otherwise
    /// some value above `limit`.
    ///
    /// Only the cells of the dynamic programme that a path of cost at most
    /// `limit` can cross are computed (a diagonal band, narrowed by the
    /// length difference), and the work stops as soon as a whole row exceeds
    /// `limit`: O(limit · min(a.count, b.count)) time. `row` is scratch space,
    /// grown to the longer length plus one on first use, so a caller that
    /// keeps it allocates nothing per call.
    public static func distance(
        _ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, limit: Int, row: inout [Int32]
    ) -> Int {
        // Rows run over the shorter string, columns over the longer one.
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        let lengthDifference = long.count - short.count
        guard lengthDifference <= limit else { return lengthDifference }
        if short.isEmpty { return long.count }
        // Every distance is at most the longer length, which also keeps the values within Int32.
        let bound = min(limit, long.count)
        if row.count <= long.count { row = Array(repeating: 0, count: long.count + 1) }
        return row.withUnsafeMutableBufferPointer { row in
            bandedDistance(short, long, bound: bound, row: row)
        }
    }

    /// The banded dynamic programme of `distance(_:_:limit:row:)`, with
    /// `short.count <= long.count`, `long.count - short.count <= bound` and
    /// `row` holding at least `long.count + 1` entries.
    ///
    /// A path of cost at most `bound` that reaches cell (i, j) and then the
    /// far corner spends at least |j − i| + |Δ − (j − i)| on the two length
    /// gaps (Δ the length difference), so it keeps
    /// −(bound − Δ)/2 ≤ j − i ≤ (bound + Δ)/2; cells outside hold `bound + 1`.
    private static func bandedDistance(
        _ short: UnsafeBufferPointer<UInt8>, _ long: UnsafeBufferPointer<UInt8>, bound: Int,
        row: UnsafeMutableBufferPointer<Int32>
    ) -> Int {
        let columnCount = long.count
        let difference = columnCount - short.count
        let below = (bound - difference) / 2  // how far j may fall behind i
        let above = (bound + difference) / 2  // how far j may run ahead of i
        let outside = Int32(bound + 1)

        let firstEnd = min(columnCount, above)
        for column in 0...firstEnd { row[column] = Int32(column) }
        if firstEnd < columnCount { row[firstEnd + 1] = outside }

        for i in 1...short.count {
            let low = max(1, i - below)
            let high = min(columnCount, i + above)
            let byte = short[i - 1]
            // `row` still holds row i − 1 from `low − 1` on; column 0 of row i is i while in the band.
            var diagonal = row[low - 1]
            var left = low == 1 && i <= below ? Int32(i) : outside
            if low == 1 { row[0] = left }
            var rowMinimum = outside
            for column in low...high {
                let up = row[column]
                let substitution = diagonal + (long[column - 1] == byte ? 0 : 1)
                let value = min(min(substitution, min(up, left) + 1), outside)
                diagonal = up
                row[column] = value
                left = value
                rowMinimum = min(rowMinimum, value)
            }
            // The next row reads one column past this row's band as its "up".
            if high < columnCount { row[high + 1] = outside }
            if rowMinimum == outside { return bound + 1 }
        }
        return Int(row[columnCount])
    }
}
