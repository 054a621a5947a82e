/// WordPiece (the library's model of BERT): the longest vocabulary entry
/// from the left, then the longest `##`-prefixed one from there, and so on;
/// a word that cannot be covered, or is too long, is one unknown token.
struct WordPieceModel: VocabularyModel {
    let vocabulary: Vocabulary
    let unknownID: Int32
    let continuingSubwordPrefix: String
    let maximumWordScalars: Int


    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into tokens: inout [ModelToken], cache: WordCache) {
        guard !word.isEmpty else { return }
        let whole = ModelToken(id: unknownID, range: word.startIndex..<word.endIndex)
        guard word.count <= maximumWordScalars else { return tokens.append(whole) }
        var pieces: [ModelToken] = []
        var start = word.startIndex
        while start < word.endIndex {
            var end = word.endIndex
            var found: ModelToken?
            while start < end {
                var candidate = PieceText.string(word[start..<end])
                if start > word.startIndex { candidate = continuingSubwordPrefix + candidate }
                if let id = vocabulary.id(of: candidate) {
                    found = ModelToken(id: id, range: start..<end)
                    break
                }
                end -= 1
            }
            guard let piece = found else { return tokens.append(whole) }
            pieces.append(piece)
            start = end
        }
        tokens.append(contentsOf: pieces)
    }
}

extension WordPieceModel {
    init(json field: JSONField) throws(TokenizerError) {
        try field.refuseUnknownMembers(
            ["unk_token", "continuing_subword_prefix", "max_input_chars_per_word", "vocab"], component: "WordPiece")
        let vocabulary = try Vocabulary(Vocabulary.entries(field.required("vocab")), field: field.required("vocab"))
        let unknown = try field.string("unk_token", default: "[UNK]")
        guard let unknownID = vocabulary.id(of: unknown) else {
            throw field.error("unk_token \(quoted(unknown)) is not in the vocabulary")
        }
        self.init(
            vocabulary: vocabulary, unknownID: unknownID,
            continuingSubwordPrefix: try field.string("continuing_subword_prefix", default: "##"),
            maximumWordScalars: try field.optionalNonNull("max_input_chars_per_word")?.integer() ?? 100)
    }
}
