/// What a split does with the matches of its pattern (the library's
/// `SplitDelimiterBehavior`).
enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"

    /// The pieces `runs` (which tile a range) become.
    func pieces(_ runs: [(range: Range<Int>, isMatch: Bool)]) -> [Range<Int>] {
        switch self {
        case .isolated:
            return runs.map(\.range)
        case .removed:
            return runs.filter { !$0.isMatch }.map(\.range)
        case .contiguous:
            var result: [Range<Int>] = []
            var previousIsMatch = false
            for run in runs {
                if run.isMatch == previousIsMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<run.range.upperBound
                } else {
                    result.append(run.range)
                }
                previousIsMatch = run.isMatch
            }
            return result
        case .mergedWithPrevious:
            var result: [Range<Int>] = []
            var previousIsMatch = false
            for run in runs {
                if run.isMatch && !previousIsMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<run.range.upperBound
                } else {
                    result.append(run.range)
                }
                previousIsMatch = run.isMatch
            }
            return result
        case .mergedWithNext:
            var result: [Range<Int>] = []
            var previousIsMatch = false
            for run in runs.reversed() {
                if run.isMatch && !previousIsMatch, let last = result.last {
                    result[result.count - 1] = run.range.lowerBound..<last.upperBound
                } else {
                    result.append(run.range)
                }
                previousIsMatch = run.isMatch
            }
            return result.reversed()
        }
    }
}
