import Base
/// The nearest of `candidates` to `word` by edit distance, for "did you
/// mean" hints; nil when nothing is close enough to help.
func nearestName(to word: String, among candidates: [String]) -> String? {
    let target = Array(word.lowercased().utf8)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(target, Array(candidate.lowercased().utf8))
        if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    guard let best, best.distance <= max(2, target.count / 3) else { return nil }
    return best.name
}

/// Levenshtein distance over bytes, one row at a time.
func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// " (did you mean 'x'?)" or nothing.
public func suggestionSuffix(_ word: String, among candidates: [String]) -> String {
    guard let name = nearestName(to: word, among: candidates) else { return "" }
    return " (did you mean '\(name)'?)"
}
