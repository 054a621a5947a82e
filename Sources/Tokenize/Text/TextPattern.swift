/// What a Split pre-tokenizer, a Replace normalizer or a Replace decoder
/// looks for: a literal string, a regular expression, or single scalars of
/// a class (the library's `char` predicates, each scalar its own match).
enum TextPattern: Sendable {
    case literal([Unicode.Scalar])
    case regex(TokenPattern)
    case scalars(ScalarPredicate)

    /// Non-overlapping matches inside `range`, left to right.
    func matchRanges(in scalars: [Unicode.Scalar], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        switch self {
        case .literal(let needle):
            guard !needle.isEmpty, needle.count <= range.count else { return [] }
            var index = range.lowerBound
            let last = range.upperBound - needle.count
            while index <= last {
                if scalars[index] == needle[0], scalars[index..<index + needle.count].elementsEqual(needle) {
                    result.append(index..<index + needle.count)
                    index += needle.count
                } else {
                    index += 1
                }
            }
        case .regex(let pattern):
            scalars.withUnsafeBufferPointer { buffer in
                let slice = UnsafeBufferPointer(rebasing: buffer[range])
                pattern.forEachMatch(in: slice) { match in
                    result.append(match.lowerBound + range.lowerBound..<match.upperBound + range.lowerBound)
                }
            }
        case .scalars(let predicate):
            for index in range where predicate.matches(scalars[index]) { result.append(index..<index + 1) }
        }
        return result
    }

    /// The whole range cut into alternating runs, each flagged whether it is
    /// a match: the library's `Pattern::find_matches`, with `invert` flipping
    /// the flags. Empty matches are kept (as the library keeps them).
    func runs(in scalars: [Unicode.Scalar], _ range: Range<Int>, invert: Bool) -> [(range: Range<Int>, isMatch: Bool)] {
        if range.isEmpty { return [(range, false)] }
        if case .literal(let needle) = self, needle.isEmpty { return [(range, invert)] }
        var result: [(range: Range<Int>, isMatch: Bool)] = []
        var cursor = range.lowerBound
        for match in matchRanges(in: scalars, range) {
            if cursor != match.lowerBound { result.append((cursor..<match.lowerBound, invert)) }
            result.append((match, !invert))
            cursor = match.upperBound
        }
        if cursor != range.upperBound { result.append((cursor..<range.upperBound, invert)) }
        return result
    }
}

/// The scalar classes the library's pre-tokenizers split on.
enum ScalarPredicate: Sendable {
    /// Rust's `char::is_whitespace` (White_Space).
    case whitespace
    /// Rust's `char::is_numeric` (general categories Nd, Nl, No).
    case numeric
    /// `is_ascii_punctuation || is_punctuation` (general categories P*), the
    /// Punctuation and BertPreTokenizer rule alike.
    case punctuation

    func matches(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .whitespace: return scalar.properties.isWhitespace
        case .numeric: return Self.isNumeric(scalar)
        case .punctuation: return Self.isASCIIPunctuation(scalar) || Self.isPunctuation(scalar)
        }
    }

    static func isNumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return (0x30...0x39).contains(scalar.value) }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value)
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }
}
