import Foundation

/// A `tokenizer.json` normalizer: rewrites each piece of text that is not
/// an added token before pre-tokenization, keeping each scalar's original
/// range (the `tokenizers` library's normalizers, same names and rules).
indirect enum Normalizer: Sendable {
    case unicode(UnicodeForm)
    case lowercase
    case strip(left: Bool, right: Bool)
    case replace(TextPattern, with: [Unicode.Scalar])
    case prepend([Unicode.Scalar])
    case sequence([Normalizer])

    /// The four Unicode normalization forms.
    enum UnicodeForm: Sendable {
        case nfc, nfd, nfkc, nfkd
    }

    /// Applies the normalizer to every piece without an added token.
    func apply(to list: inout PieceList) {
        switch self {
        case .sequence(let normalizers):
            for normalizer in normalizers { normalizer.apply(to: &list) }
        case .unicode(let form):
            list.transform { list, piece, writer in Self.normalize(list, piece.range, form, &writer) }
        case .lowercase:
            list.transform { list, piece, writer in
                for index in piece.range {
                    let scalar = list.scalars[index]
                    if scalar.isASCII {
                        let lowered = (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 32)! : scalar  // checked: ASCII
                        writer.append(lowered, from: list, index: index)
                    } else {
                        for lowered in scalar.properties.lowercaseMapping.unicodeScalars {
                            writer.append(lowered, from: list, index: index)
                        }
                    }
                }
            }
        case .strip(let left, let right):
            list.transform { list, piece, writer in
                var range = piece.range
                while left, let first = range.first, list.scalars[first].properties.isWhitespace { range.removeFirst() }
                while right, let last = range.last, list.scalars[last].properties.isWhitespace { range.removeLast() }
                for index in range { writer.append(list.scalars[index], from: list, index: index) }
            }
        case .replace(let pattern, let content):
            list.transform { list, piece, writer in
                Self.replace(list, piece.range, pattern, content, &writer)
            }
        case .prepend(let prefix):
            list.transform { list, piece, writer in Self.prepend(prefix, list, piece.range, &writer) }
        }
    }

    /// `NormalizedString.prepend`: the prefix stands for the piece's first scalar.
    static func prepend(_ prefix: [Unicode.Scalar], _ list: PieceList, _ range: Range<Int>, _ writer: inout PieceWriter) {
        guard let first = range.first else { return }
        for scalar in prefix { writer.append(scalar, from: list, index: first) }
        for index in range { writer.append(list.scalars[index], from: list, index: index) }
    }

    /// `NormalizedString.replace`: each match is removed and the content
    /// inserted in its place, every new scalar standing for the match's last
    /// original scalar.
    static func replace(
        _ list: PieceList, _ range: Range<Int>, _ pattern: TextPattern, _ content: [Unicode.Scalar],
        _ writer: inout PieceWriter
    ) {
        var cursor = range.lowerBound
        for match in pattern.matchRanges(in: list.scalars, range) where !match.isEmpty {
            for index in cursor..<match.lowerBound { writer.append(list.scalars[index], from: list, index: index) }
            for scalar in content { writer.append(scalar, from: list, index: match.upperBound - 1) }
            cursor = match.upperBound
        }
        for index in cursor..<range.upperBound { writer.append(list.scalars[index], from: list, index: index) }
    }

    /// Normalizes one piece a segment at a time (a scalar with the non-starters
    /// after it), so each output scalar keeps the range of the input it came
    /// from: output i stands for input i, extra outputs for the last input.
    private static func normalize(_ list: PieceList, _ range: Range<Int>, _ form: UnicodeForm, _ writer: inout PieceWriter) {
        var start = range.lowerBound
        while start < range.upperBound {
            var end = start + 1
            while end < range.upperBound, list.scalars[end].properties.canonicalCombiningClass.rawValue != 0
                || isHangulJamoContinuation(list.scalars[end]) {
                end += 1
            }
            let segment = list.scalars[start..<end]
            if segment.count == 1, segment[start].value < 0xA0, form == .nfc || form == .nfd
                || segment[start].isASCII {
                writer.append(segment[start], from: list, index: start)
            } else {
                var text = String.UnicodeScalarView()
                text.append(contentsOf: segment)
                let normalized = Array(normalizedString(String(text), form).unicodeScalars)
                for (offset, scalar) in normalized.enumerated() {
                    writer.append(scalar, from: list, index: min(start + offset, end - 1))
                }
            }
            start = end
        }
    }

    private static func isHangulJamoContinuation(_ scalar: Unicode.Scalar) -> Bool {
        (0x1161...0x11C2).contains(scalar.value)
    }

    private static func normalizedString(_ text: String, _ form: UnicodeForm) -> String {
        switch form {
        case .nfc: text.precomposedStringWithCanonicalMapping
        case .nfd: text.decomposedStringWithCanonicalMapping
        case .nfkc: text.precomposedStringWithCompatibilityMapping
        case .nfkd: text.decomposedStringWithCompatibilityMapping
        }
    }
}
