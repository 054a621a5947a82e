import Base

/// One token the model made from a word: its id and the range of the
/// word's scalars it covers (byte-fallback tokens of one scalar share it).
struct ModelToken: Sendable, Equatable {
    var id: Int32
    var range: Range<Int>
    /// The token's string when it is not the vocabulary's (a Unigram
    /// unknown keeps the text it stands for).
    var text: String? = nil
}

/// A `tokenizer.json` model (BPE, WordPiece, Unigram): turns one word (a
/// piece of pre-tokenized, normalized text) into tokens, and maps between
/// ids and token strings.
protocol TokenizerModel: Sendable {
    /// Appends the tokens of `word` to `tokens`; `cache` may keep results
    /// between calls of one thread.
    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into tokens: inout [ModelToken], cache: WordCache)
    /// The id of a token string, if the vocabulary has it.
    func id(of token: String) -> Int32?
    /// The token string of an id, if the vocabulary has it.
    func token(of id: Int32) -> String?
    /// One past the largest id of the vocabulary.
    var idCount: Int { get }
}

/// A model whose ids and token strings are one `Vocabulary`.
protocol VocabularyModel: TokenizerModel {
    var vocabulary: Vocabulary { get }
}

extension VocabularyModel {
    func id(of token: String) -> Int32? { vocabulary.id(of: token) }
    func token(of id: Int32) -> String? { vocabulary.token(of: id) }
    var idCount: Int { vocabulary.idCount }
}

/// Tokens of recent words, kept per thread (the library's BPE cache): a word
/// seen again costs one lookup. Bounded; once full it stops growing. Keys
/// are the words' scalars as bytes; tokens are kept with ranges relative to
/// the word's start.
final class WordCache {
    /// The library caches words up to this many scalars.
    static let longestWord = 256
    private var table = ByteKeyTable(minimumCapacity: 4_096)
    private var spans: [Range<Int>] = []
    private var stored: [ModelToken] = []
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Appends the cached tokens of `word`, shifted to its position;
    /// false when it is not cached.
    func append(_ word: ArraySlice<Unicode.Scalar>, to tokens: inout [ModelToken]) -> Bool {
        guard word.count <= Self.longestWord,
            let entry = word.withUnsafeBytes({ table.value(for: $0) })
        else { return false }
        let base = word.startIndex
        for token in stored[spans[Int(entry)]] {
            var shifted = token
            shifted.range = token.range.lowerBound + base..<token.range.upperBound + base
            tokens.append(shifted)
        }
        return true
    }

    /// Keeps the tokens of `word` (ranges relative to the word).
    func keep(_ tokens: ArraySlice<ModelToken>, for word: ArraySlice<Unicode.Scalar>) {
        guard word.count <= Self.longestWord, spans.count < capacity else { return }
        let start = stored.count
        stored.append(contentsOf: tokens)
        spans.append(start..<stored.count)
        word.withUnsafeBytes { _ = table.insert($0, value: Int32(spans.count - 1)) }
    }
}
