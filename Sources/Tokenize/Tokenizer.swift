/// A tokenizer read from a `tokenizer.json` (the Hugging Face `tokenizers`
/// library's format), equal to that library id for id, token for token and
/// offset for offset: added tokens, normalizer, pre-tokenizer, model,
/// post-processor and decoder, each as the library runs it.
public struct Tokenizer: Sendable {
    let addedVocabulary: AddedVocabulary
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let model: any TokenizerModel
    let postProcessor: PostProcessor?
    let decoder: Decoder?

    /// Encodes one text, with the post-processor's special tokens when
    /// `addSpecialTokens` (the library's default). `workspace` keeps a word
    /// cache between calls of one thread.
    public func encode(_ text: String, addSpecialTokens: Bool = true, workspace: TokenizerWorkspace? = nil) -> Encoding
    {
        encode([text], addSpecialTokens: addSpecialTokens, workspace: workspace)
    }

    /// Encodes a pair (the second sequence has type id 1 unless the
    /// post-processor says otherwise).
    public func encode(
        _ text: String, pair: String, addSpecialTokens: Bool = true, workspace: TokenizerWorkspace? = nil
    ) -> Encoding {
        encode([text, pair], addSpecialTokens: addSpecialTokens, workspace: workspace)
    }

    private func encode(_ texts: [String], addSpecialTokens: Bool, workspace: TokenizerWorkspace?) -> Encoding {
        let workspace = workspace ?? TokenizerWorkspace()
        let encodings = texts.enumerated().map { index, text in
            encodeSequence(text, typeID: UInt32(index), cache: workspace.cache)
        }
        let processed = postProcessor?.process(encodings, addSpecialTokens: addSpecialTokens) ?? encodings
        var result = Encoding()
        for encoding in processed { result.append(contentsOf: encoding) }
        return result
    }

    /// One sequence through added tokens, normalizer, pre-tokenizer and model.
    private func encodeSequence(_ text: String, typeID: UInt32, cache: WordCache) -> Encoding {
        var list = PieceList(original: Array(text.unicodeScalars))
        addedVocabulary.split(&list, normalized: false)
        normalizer?.apply(to: &list)
        addedVocabulary.split(&list, normalized: true)
        preTokenizer?.apply(to: &list)
        var encoding = Encoding()
        var modelTokens: [ModelToken] = []
        for piece in list.pieces {
            let original = list.originalRange(of: piece.range)
            if let id = piece.addedTokenID {
                encoding.append(
                    id: id, token: PieceText.string(list.scalars[piece.range]), offsets: original, typeID: typeID)
                continue
            }
            modelTokens.removeAll(keepingCapacity: true)
            model.tokenize(list.scalars[piece.range], into: &modelTokens, cache: cache)
            for token in modelTokens {
                encoding.append(
                    id: token.id, token: token.text ?? model.token(of: token.id) ?? "",
                    offsets: list.originalRange(of: token.range),
                    typeID: typeID)
            }
        }
        return encoding
    }

    /// The text of `ids` through the decoder (tokens joined by spaces when
    /// there is none); unknown ids are skipped, as the library skips them.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = token(of: id) else { continue }
            if skipSpecialTokens && addedVocabulary.isSpecial(token) { continue }
            tokens.append(token)
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decodeChain(tokens).joined()
    }

    /// The token string of an id: an added token's content, else the model's.
    public func token(of id: Int32) -> String? {
        addedVocabulary.display(of: id) ?? model.token(of: id)
    }

    /// The id of a token string: an added token's, else the model's.
    public func id(of token: String) -> Int32? {
        addedVocabulary.id(of: token) ?? model.id(of: token)
    }

    /// Whether `id` is an added token marked special.
    public func isSpecial(_ id: Int32) -> Bool {
        addedVocabulary.token(of: id)?.special ?? false
    }
}

/// What one thread keeps between encodes: the model's word cache. Not
/// shared between threads.
public final class TokenizerWorkspace {
    let cache = WordCache()

    public init() {}
}

enum PieceText {
    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
