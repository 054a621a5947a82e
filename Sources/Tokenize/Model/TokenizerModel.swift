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
    /// One more than the largest id.
    var idLimit: Int { get }
}

/// Tokens of recent words, kept per thread (the library's BPE cache): a word
/// seen again costs one lookup. Bounded; once full it stops growing.
final class WordCache {
    private var entries: [ArraySlice<Unicode.Scalar>: [ModelToken]] = [:]
    /// The library caches words up to this many scalars.
    static let longestWord = 256
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func tokens(of word: ArraySlice<Unicode.Scalar>) -> [ModelToken]? {
        entries[word]
    }

    func keep(_ tokens: [ModelToken], for word: ArraySlice<Unicode.Scalar>) {
        guard word.count <= Self.longestWord, entries.count < capacity else { return }
        entries[ArraySlice(Array(word))] = tokens
    }
}
