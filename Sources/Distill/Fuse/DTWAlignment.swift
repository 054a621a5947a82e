/// FuseLLM's token alignment: dynamic time warping between a teacher's and
/// a target's tokens, with the edit distance of their bytes as the cost.
///
/// This is `dtw` of FuseLLM's `others.py` (Wan et al., 2024, section 3.3)
/// with series 1 the teacher and series 2 the target, returning its
/// `mappings_series_2`: the path minimises the summed cost over monotone
/// paths from the first pair to the last, and the backtrack prefers, on
/// equal accumulated costs, the diagonal step, then the teacher step
/// ("up"), then the target step ("left"), as `np.argmin` does.
public enum DTWAlignment {
    /// For each target index, the ascending teacher indices the warping path
    /// pairs with it.
    ///
    /// `teacher` and `target` are the tokens' bytes as the cost should see
    /// them (FuseLLM removes every space byte first). Only cells within
    /// `band` of the corner-to-corner diagonal are computed (see `DTWBand`):
    /// O((m + n) · band) memory and edit distances; a `band` of at least
    /// max(m, n) is the full warping, identical to FuseLLM's. Every target
    /// index gets at least one teacher index, and the path runs from (0, 0)
    /// to (m − 1, n − 1). An empty target gives `[]`; an empty teacher, with
    /// nothing to pair, gives an empty list for every target index.
    public static func align(teacher: [[UInt8]], target: [[UInt8]], band: Int) -> [[Int]] {
        guard !target.isEmpty else { return [] }
        guard !teacher.isEmpty else { return Array(repeating: [], count: target.count) }
        let band = DTWBand(teacherCount: teacher.count, targetCount: target.count, band: band)
        let costs = accumulatedCosts(teacher: FlatTokens(teacher), target: FlatTokens(target), band: band)
        return backtrack(costs, band: band)
    }

    /// The cost of a cell off the band, or of a path that cannot reach it.
    private static let unreachable = Int32.max

    /// The least summed cost of a path from (0, 0) to each kept cell, column
    /// by column, each column's cells from its `low` at `column · columnCapacity`.
    /// Sums saturate just below `unreachable`.
    private static func accumulatedCosts(teacher: FlatTokens, target: FlatTokens, band: DTWBand) -> [Int32] {
        var costs = [Int32](repeating: unreachable, count: band.targetCount * band.columnCapacity)
        var row: [Int32] = []
        costs.withUnsafeMutableBufferPointer { costs in
            var previousLow = 0
            var previousHigh = -1
            for column in 0..<band.targetCount {
                let low = band.low(column)
                let high = band.high(column)
                let base = column * band.columnCapacity
                let previousBase = base - band.columnCapacity
                for teacherIndex in low...high {
                    let cost = target.withToken(column) { targetBytes in
                        teacher.withToken(teacherIndex) { teacherBytes in
                            EditDistance.distance(
                                teacherBytes, targetBytes, limit: max(teacherBytes.count, targetBytes.count), row: &row)
                        }
                    }
                    var previous = unreachable
                    if teacherIndex == 0 && column == 0 {
                        previous = 0
                    } else {
                        if teacherIndex > low { previous = costs[base + teacherIndex - 1 - low] }
                        if teacherIndex >= previousLow && teacherIndex <= previousHigh {
                            previous = min(previous, costs[previousBase + teacherIndex - previousLow])
                        }
                        if teacherIndex - 1 >= previousLow && teacherIndex - 1 <= previousHigh {
                            previous = min(previous, costs[previousBase + teacherIndex - 1 - previousLow])
                        }
                    }
                    guard previous != unreachable else { continue }
                    let (sum, overflow) = previous.addingReportingOverflow(Int32(clamping: cost))
                    costs[base + teacherIndex - low] = overflow || sum == unreachable ? unreachable - 1 : sum
                }
                previousLow = low
                previousHigh = high
            }
        }
        return costs
    }

    /// Walks back from the last cell to the first along the least costs,
    /// collecting for each target index the teacher indices it meets.
    private static func backtrack(_ costs: [Int32], band: DTWBand) -> [[Int]] {
        func cost(_ teacherIndex: Int, _ column: Int) -> Int32 {
            let low = band.low(column)
            guard teacherIndex >= low, teacherIndex <= band.high(column) else { return unreachable }
            return costs[column * band.columnCapacity + teacherIndex - low]
        }
        var mapping = [[Int]](repeating: [], count: band.targetCount)
        var teacherIndex = band.teacherCount - 1
        var column = band.targetCount - 1
        while teacherIndex > 0 || column > 0 {
            mapping[column].append(teacherIndex)
            let diagonal = teacherIndex > 0 && column > 0 ? cost(teacherIndex - 1, column - 1) : unreachable
            let up = teacherIndex > 0 ? cost(teacherIndex - 1, column) : unreachable
            let left = column > 0 ? cost(teacherIndex, column - 1) : unreachable
            // The first of the three minima wins, as np.argmin picks it.
            if diagonal <= up && diagonal <= left {
                teacherIndex -= 1
                column -= 1
            } else if up <= left {
                teacherIndex -= 1
            } else {
                column -= 1
            }
        }
        mapping[0].append(0)
        for column in mapping.indices { mapping[column].reverse() }
        return mapping
    }
}

/// Token byte strings laid end to end, so a cell's cost reads them without
/// touching the outer array.
private struct FlatTokens {
    private let bytes: [UInt8]
    private let starts: [Int]

    init(_ tokens: [[UInt8]]) {
        bytes = tokens.flatMap { $0 }
        var starts = [0]
        starts.reserveCapacity(tokens.count + 1)
        for token in tokens { starts.append(starts[starts.count - 1] + token.count) }
        self.starts = starts
    }

    /// Calls `body` with the bytes of token `index`.
    @inline(__always)
    func withToken<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[starts[index]..<starts[index + 1]])) }
    }
}
