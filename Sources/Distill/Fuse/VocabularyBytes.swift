import Tokenize

/// The bytes each id of a vocabulary stands for on its own
/// (`Tokenizer.tokenBytes(of:)`), the form in which tokens of different
/// tokenizers compare: `Ġthe`, `▁the` and ` the` are the same bytes.
public struct VocabularyBytes: Sendable {
    /// By id; empty for an id the tokenizer does not know.
    public let tokens: [[UInt8]]

    public init(tokens: [[UInt8]]) { self.tokens = tokens }

    /// Ids 0..<count of `tokenizer` (count: the model's vocabulary size,
    /// which may exceed the tokenizer's ids).
    public init(tokenizer: Tokenizer, count: Int) {
        tokens = (0..<count).map { tokenizer.tokenBytes(of: Int32($0)) ?? [] }
    }

    public var count: Int { tokens.count }

    /// Token `id`'s bytes, empty when out of range.
    @inline(__always)
    public subscript(id: Int32) -> [UInt8] { id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : [] }

    /// Token `id`'s bytes without its spaces: FuseLLM compares token
    /// strings with the word-boundary markers removed.
    public func withoutSpaces(_ id: Int32) -> [UInt8] { self[id].filter { $0 != 0x20 } }
}
