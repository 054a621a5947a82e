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
    /// BERT's: controls dropped and white space made spaces, CJK ideographs
    /// set apart, accents stripped (NFD without nonspacing marks), lowercase.
    case bert(cleanText: Bool, handleChineseCharacters: Bool, stripAccents: Bool, lowercase: Bool)

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
                        let lowered = (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 32)! : scalar
                        // checked: ASCII
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
        case .bert(let cleanText, let handleChineseCharacters, let stripAccents, let lowercase):
            if cleanText || handleChineseCharacters {
                list.transform { list, piece, writer in
                    for index in piece.range {
                        let scalar = list.scalars[index]
                        if cleanText {
                            if scalar.value == 0 || scalar.value == 0xFFFD || BertText.isControl(scalar) { continue }
                            if BertText.isWhitespace(scalar) {
                                writer.append(" ", from: list, index: index)
                                continue
                            }
                        }
                        if handleChineseCharacters && BertText.isChinese(scalar) {
                            for spaced in [" ", scalar, " "] as [Unicode.Scalar] {
                                writer.append(spaced, from: list, index: index)
                            }
                        } else {
                            writer.append(scalar, from: list, index: index)
                        }
                    }
                }
            }
            if stripAccents {
                Normalizer.unicode(.nfd).apply(to: &list)
                list.transform { list, piece, writer in
                    for index in piece.range where list.scalars[index].properties.generalCategory != .nonspacingMark {
                        writer.append(list.scalars[index], from: list, index: index)
                    }
                }
            }
            if lowercase { Normalizer.lowercase.apply(to: &list) }
        }
    }

    /// `NormalizedString.prepend`: the prefix stands for the piece's first scalar.
    static func prepend(_ prefix: [Unicode.Scalar], _ list: PieceList, _ range: Range<Int>, _ writer: inout PieceWriter)
    {
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

    /// Normalizes one piece keeping each output scalar's source, as the
    /// library's alignment-keeping normalization does: each input scalar is
    /// decomposed on its own (its pieces stand for it), combining marks are
    /// put in canonical order, and for NFC/NFKC each mark that composes with
    /// the starter before it disappears into it (the composite keeps the
    /// starter's range).
    private static func normalize(
        _ list: PieceList, _ range: Range<Int>, _ form: UnicodeForm, _ writer: inout PieceWriter
    ) {
        var decomposed: [(scalar: Unicode.Scalar, source: Int)] = []
        decomposed.reserveCapacity(range.count)
        let compatibility = form == .nfkc || form == .nfkd
        for index in range {
            let scalar = list.scalars[index]
            if scalar.value < 0xA0 {
                decomposed.append((scalar, index))
                continue
            }
            let text = String(Character(scalar))
            let pieces =
                compatibility
                ? text.decomposedStringWithCompatibilityMapping : text.decomposedStringWithCanonicalMapping
            for piece in pieces.unicodeScalars { decomposed.append((piece, index)) }
        }
        reorderCanonically(&decomposed)
        if form == .nfc || form == .nfkc { compose(&decomposed) }
        for item in decomposed { writer.append(item.scalar, from: list, index: item.source) }
    }

    private static func combiningClass(_ scalar: Unicode.Scalar) -> UInt8 {
        scalar.value < 0x300 ? 0 : scalar.properties.canonicalCombiningClass.rawValue
    }

    /// Stable sort of every run of non-starters by combining class; each
    /// position keeps its source.
    private static func reorderCanonically(_ items: inout [(scalar: Unicode.Scalar, source: Int)]) {
        var start = 0
        while start < items.count {
            guard combiningClass(items[start].scalar) != 0 else {
                start += 1
                continue
            }
            var end = start
            while end < items.count && combiningClass(items[end].scalar) != 0 { end += 1 }
            if end - start > 1 {
                let sorted = items[start..<end].enumerated().sorted {
                    let left = combiningClass($0.element.scalar)
                    let right = combiningClass($1.element.scalar)
                    return left != right ? left < right : $0.offset < $1.offset
                }
                // Sources stay in place: the library aligns by position, not by scalar.
                for (offset, item) in sorted.enumerated() { items[start + offset].scalar = item.element.scalar }
            }
            start = end
        }
    }

    /// Unicode canonical composition (UAX #15): a scalar not blocked from the
    /// last starter combines with it when the pair has a primary composite.
    private static func compose(_ items: inout [(scalar: Unicode.Scalar, source: Int)]) {
        guard items.count > 1 else { return }
        var result: [(scalar: Unicode.Scalar, source: Int)] = []
        result.reserveCapacity(items.count)
        var starter: Int?
        var lastClass: UInt8?
        for item in items {
            let itemClass = combiningClass(item.scalar)
            if let starterIndex = starter {
                let blocked = lastClass.map { $0 == 0 || $0 >= itemClass } ?? false
                if !blocked, let composite = composite(result[starterIndex].scalar, item.scalar) {
                    result[starterIndex].scalar = composite
                    continue
                }
            }
            if itemClass == 0 {
                starter = result.count
                lastClass = nil
            } else {
                lastClass = itemClass
            }
            result.append(item)
        }
        items = result
    }

    /// The primary composite of two scalars, if there is one.
    private static func composite(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Unicode.Scalar? {
        if first.isASCII && second.isASCII { return nil }
        if let syllable = HangulSyllable.composite(first, second) { return syllable }
        var view = String.UnicodeScalarView()
        view.append(first)
        view.append(second)
        let composed = String(view).precomposedStringWithCanonicalMapping.unicodeScalars
        guard composed.count == 1, let scalar = composed.first else { return nil }
        return scalar
    }
}

/// BERT's character classes (the library's bert normalizer).
enum BertText {
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
            || scalar.properties.generalCategory == .spaceSeparator
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    static func isChinese(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value)
            || (0x20000...0x2A6DF).contains(value) || (0x2A700...0x2B73F).contains(value)
            || (0x2B740...0x2B81F).contains(value) || (0x2B920...0x2CEAF).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0x2F800...0x2FA1F).contains(value)
    }
}

/// Hangul syllable composition (Unicode 3.12), done by arithmetic: the
/// platform's composition misses LV + T.
enum HangulSyllable {
    static let syllableBase: UInt32 = 0xAC00, leadingBase: UInt32 = 0x1100, vowelBase: UInt32 = 0x1161
    static let trailingBase: UInt32 = 0x11A7, vowelCount: UInt32 = 21, trailingCount: UInt32 = 28
    static let syllableCount: UInt32 = 11_172

    static func composite(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Unicode.Scalar? {
        let a = first.value, b = second.value
        if (leadingBase..<leadingBase + 19).contains(a) && (vowelBase..<vowelBase + vowelCount).contains(b) {
            return Unicode.Scalar(syllableBase + ((a - leadingBase) * vowelCount + (b - vowelBase)) * trailingCount)
        }
        if (syllableBase..<syllableBase + syllableCount).contains(a) && (a - syllableBase) % trailingCount == 0
            && (trailingBase + 1..<trailingBase + trailingCount).contains(b)
        {
            return Unicode.Scalar(a + b - trailingBase)
        }
        return nil
    }
}
