import Base

/// One entry of `added_tokens`.
struct AddedToken: Sendable {
    var id: Int32
    var content: String
    var singleWord: Bool
    var leftStrip: Bool
    var rightStrip: Bool
    var normalized: Bool
    var special: Bool
}

/// The added tokens and how text is cut around them before the model sees
/// it (the library's `AddedVocabulary`): tokens with `normalized: false` are
/// found in the original text, the others in the normalized pieces, each
/// search leftmost-longest, with `single_word`, `lstrip` and `rstrip` applied
/// to every match.
struct AddedVocabulary: Sendable {
    let tokens: [AddedToken]
    private let rawTrie: ScalarTrie
    private let normalizedTrie: ScalarTrie
    private let indexByID: [Int32: Int]
    private let specialContents: Set<ExactString>
    private let idByContent: [ExactString: Int32]
    /// What `token(of:)` gives: normalized tokens read back normalized, as the
    /// library's reverse map keeps them.
    private let displayContents: [Int32: String]

    init(_ tokens: [AddedToken], normalizer: Normalizer?) {
        self.tokens = tokens
        var raw = ScalarTrie()
        var normalized = ScalarTrie()
        var indexByID: [Int32: Int] = [:]
        var displays: [Int32: String] = [:]
        for (index, token) in tokens.enumerated() {
            indexByID[token.id] = index
            if token.normalized {
                var list = PieceList(original: Array(token.content.unicodeScalars))
                normalizer?.apply(to: &list)
                normalized.insert(list.scalars, value: Int32(index))
                displays[token.id] = PieceText.string(list.scalars[...])
            } else {
                raw.insert(Array(token.content.unicodeScalars), value: Int32(index))
            }
        }
        rawTrie = raw
        normalizedTrie = normalized
        self.indexByID = indexByID
        specialContents = Set(tokens.filter(\.special).map { ExactString($0.content) })
        idByContent = Dictionary(
            tokens.map { (ExactString($0.content), $0.id) }, uniquingKeysWith: { first, _ in first })
        displayContents = displays
    }

    func token(of id: Int32) -> AddedToken? { indexByID[id].map { tokens[$0] } }

    func id(of content: String) -> Int32? { idByContent[ExactString(content)] }

    /// The string an id decodes to.
    func display(of id: Int32) -> String? { displayContents[id] ?? token(of: id)?.content }

    func isSpecial(_ content: String) -> Bool { specialContents.contains(ExactString(content)) }

    /// Cuts the pieces at the tokens found by the raw search (before
    /// normalization) or by the normalized one (after).
    func split(_ list: inout PieceList, normalized: Bool) {
        let trie = normalized ? normalizedTrie : rawTrie
        guard !trie.isEmpty else { return }
        list.splitMarking { list, piece in cut(list.scalars, piece.range, trie) }
    }

    private func cut(_ scalars: [Unicode.Scalar], _ range: Range<Int>, _ trie: ScalarTrie) -> [PieceList.Piece] {
        var parts: [PieceList.Piece] = []
        var cursor = range.lowerBound
        var index = range.lowerBound
        while index < range.upperBound {
            guard let match = trie.longestMatch(in: scalars, at: index, before: range.upperBound) else {
                index += 1
                continue
            }
            let token = tokens[Int(match.value)]
            var start = index
            var end = match.end
            if token.singleWord {
                let startsWord = start > range.lowerBound && Self.isWordScalar(scalars[start - 1])
                let endsWord = end < range.upperBound && Self.isWordScalar(scalars[end])
                if startsWord || endsWord {
                    index = end  // the search goes on after the discarded match
                    continue
                }
            }
            if token.leftStrip {
                var newStart = start
                while newStart > range.lowerBound, scalars[newStart - 1].properties.isWhitespace { newStart -= 1 }
                start = max(newStart, cursor)
            }
            if token.rightStrip {
                while end < range.upperBound, scalars[end].properties.isWhitespace { end += 1 }
            }
            if cursor < start { parts.append(PieceList.Piece(range: cursor..<start, addedTokenID: nil)) }
            parts.append(PieceList.Piece(range: start..<end, addedTokenID: token.id))
            cursor = end
            index = end
        }
        if cursor < range.upperBound {
            parts.append(PieceList.Piece(range: cursor..<range.upperBound, addedTokenID: nil))
        }
        return parts
    }

    /// Rust regex's `\w`: letters, marks, decimal digits, connector punctuation.
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
                || value == 0x5F
        }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .decimalNumber, .nonspacingMark, .spacingMark, .enclosingMark, .connectorPunctuation: return true
        default: return false
        }
    }
}
