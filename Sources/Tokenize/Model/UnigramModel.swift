/// Unigram (SentencePiece's model): the segmentation of a word whose pieces'
/// log-probabilities sum highest (Viterbi), unknown scalars scored below
/// every piece and fused, with byte fallback when asked.
struct UnigramModel: VocabularyModel {
    let vocabulary: Vocabulary
    let scores: [Double]
    let pieces: ScalarTrie
    let unknownID: Int32?
    let byteFallback: Bool
    /// SentencePiece's penalty under the lowest score for an unknown scalar.
    static let unknownPenalty = 10.0
    let unknownScore: Double


    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into tokens: inout [ModelToken], cache: WordCache) {
        guard !word.isEmpty else { return }
        let count = word.count
        let base = word.startIndex
        var bestScore = [Double](repeating: 0, count: count + 1)
        var bestStart = [Int](repeating: -1, count: count + 1)
        var bestID = [Int32](repeating: -1, count: count + 1)
        for start in 0..<count where start == 0 || bestStart[start] >= 0 {
            let scoreHere = bestScore[start]
            var hasSingle = false
            pieces.forEachPrefix(in: word, at: base + start) { end, id in
                let length = end - base - start
                let candidate = scoreHere + scores[Int(id)]
                let target = end - base
                if bestStart[target] < 0 || candidate > bestScore[target] {
                    bestScore[target] = candidate
                    bestStart[target] = start
                    bestID[target] = id
                }
                if length == 1 { hasSingle = true }
            }
            if !hasSingle {
                let candidate = scoreHere + unknownScore
                if bestStart[start + 1] < 0 || candidate > bestScore[start + 1] {
                    bestScore[start + 1] = candidate
                    bestStart[start + 1] = start
                    bestID[start + 1] = unknownID ?? -1
                }
            }
        }
        var segments: [Range<Int>] = []
        var end = count
        var fused: Range<Int>?
        while end > 0 {
            let start = bestStart[end]
            if unknownID != nil && bestID[end] == unknownID {
                fused = start..<(fused?.upperBound ?? end)
            } else {
                if let range = fused { segments.append(range) }
                fused = nil
                segments.append(start..<end)
            }
            end = start
        }
        if let range = fused { segments.append(range) }
        for segment in segments.reversed() {
            emit(word, segment.lowerBound + base..<segment.upperBound + base, into: &tokens)
        }
    }

    /// One segment as its token, else byte tokens, else the unknown token
    /// (which keeps the segment's text as its string).
    private func emit(_ word: ArraySlice<Unicode.Scalar>, _ range: Range<Int>, into tokens: inout [ModelToken]) {
        let text = PieceText.string(word[range])
        if let id = vocabulary.id(of: text) { return tokens.append(ModelToken(id: id, range: range)) }
        if byteFallback {
            let ids = text.utf8.map { vocabulary.id(of: ByteToken.name($0)) }
            if ids.allSatisfy({ $0 != nil }) {
                for id in ids { tokens.append(ModelToken(id: id!, range: range)) }  // checked: all present
                return
            }
        }
        guard let unknownID else { return }
        tokens.append(ModelToken(id: unknownID, range: range, text: text))
    }
}

extension UnigramModel {
    init(json field: JSONField) throws(TokenizerError) {
        try field.refuseUnknownMembers(["unk_id", "vocab", "byte_fallback"], component: "Unigram")
        var entries: [(token: String, id: Int32)] = []
        var scores: [Double] = []
        var trie = ScalarTrie()
        for (index, element) in try field.required("vocab").elements().enumerated() {
            let pair = try element.elements()
            guard pair.count == 2 else { throw element.error("expected [piece, score]") }
            let piece = try pair[0].string()
            entries.append((piece, Int32(index)))
            scores.append(try pair[1].double())
            trie.insert(Array(piece.unicodeScalars), value: Int32(index))
        }
        let vocabulary = try Vocabulary(entries, field: field)
        var unknownID: Int32?
        if let unknown = try field.optionalNonNull("unk_id") {
            let id = try unknown.integer()
            guard id < entries.count else {
                throw unknown.error("unk_id \(id) is past the vocabulary's \(entries.count) pieces")
            }
            unknownID = Int32(id)
        }
        self.init(
            vocabulary: vocabulary, scores: scores, pieces: trie, unknownID: unknownID,
            byteFallback: try field.bool("byte_fallback", default: false),
            unknownScore: (scores.min() ?? 0) - Self.unknownPenalty)
    }
}
