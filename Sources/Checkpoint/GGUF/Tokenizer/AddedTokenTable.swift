import Base

/// The added tokens of a `tokenizer.json` (its `added_tokens` list), built
/// by the same sequence of additions transformers makes, with the rules of
/// the `tokenizers` library's AddedVocabulary: a token already in the
/// vocabulary keeps its id, a new one gets the next id past the vocabulary
/// and the tokens added before it, and adding a token again keeps its id but
/// takes the new flags.
struct AddedTokenTable {
    struct Token: Equatable {
        let id: Int
        let content: String
        var isSpecial: Bool
    }

    /// The model's vocabulary, token → id, and its size.
    private let vocabulary: [ExactString: Int]
    private let vocabularyCount: Int
    private var indexByContent: [ExactString: Int] = [:]
    private var largestID = -1
    private(set) var tokens: [Token] = []

    init(vocabulary: [ExactString: Int], vocabularyCount: Int) {
        self.vocabulary = vocabulary
        self.vocabularyCount = vocabularyCount
    }

    /// Adds `content`, or gives it these flags if it is already added.
    /// Empty tokens are ignored, as `tokenizers` ignores them.
    mutating func add(_ content: String, isSpecial: Bool) {
        guard !content.isEmpty else { return }
        let key = ExactString(content)
        if let index = indexByContent[key] {
            tokens[index].isSpecial = isSpecial
            return
        }
        let id = vocabulary[key] ?? max(vocabularyCount, largestID + 1)
        largestID = max(largestID, id)
        indexByContent[key] = tokens.count
        tokens.append(Token(id: id, content: content, isSpecial: isSpecial))
    }

    /// Whether `content` was added.
    func contains(_ content: String) -> Bool { indexByContent[ExactString(content)] != nil }

    /// The id `content` encodes to as a whole: its added id, else its
    /// vocabulary id.
    func id(of content: String) -> Int? {
        let key = ExactString(content)
        return indexByContent[key].map { tokens[$0].id } ?? vocabulary[key]
    }

    /// Whether `content` is an added token or in the vocabulary.
    func isKnown(_ content: String) -> Bool { id(of: content) != nil }

    /// The tokens as `tokenizer.json` lists them, by id.
    var byID: [Token] { tokens.sorted { $0.id < $1.id } }
}
