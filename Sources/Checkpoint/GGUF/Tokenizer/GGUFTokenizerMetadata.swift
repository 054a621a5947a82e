/// The `tokenizer.*` metadata of a GGUF file (llama.cpp's key names), read
/// and checked: every array as long as the vocabulary, every token id
/// inside it, each key of the type llama.cpp writes.
struct GGUFTokenizerMetadata: Sendable {
    /// The `tokenizer.ggml.model` values Smelt can write a tokenizer for.
    static let knownModels = ["gpt2", "llama"]

    /// A token's type (llama.cpp's `llama_token_type`).
    enum TokenType: Int {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    let architecture: String
    /// `tokenizer.ggml.model`: "gpt2" (byte-level BPE) or "llama" (SentencePiece).
    let model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer's name, when the file gives one.
    let preTokenizer: String?
    let tokens: [String]
    /// Raw type numbers, one per token, or empty when the file gives none.
    let tokenTypes: [Int]
    /// One per token, or nil when the file gives none.
    let scores: [Double]?
    /// "left right" pairs, or nil when the file gives none.
    let merges: [String]?
    let bosID: Int?
    let eosID: Int?
    let unknownID: Int?
    let paddingID: Int?
    let addsBOS: Bool?
    let addsEOS: Bool?
    let chatTemplate: String?

    init(_ metadata: GGUFMetadata) throws(GGUFTokenizerError) {
        let reader = KeyReader(metadata: metadata)
        architecture = try reader.string("general.architecture", required: "it picks the tokenizer's shape") ?? ""
        model = try reader.string("tokenizer.ggml.model", required: "it names the tokenizer") ?? ""
        guard Self.knownModels.contains(model) else { throw GGUFTokenizerError(.unknownModel(model)) }
        preTokenizer = try reader.string("tokenizer.ggml.pre")
        tokens = try reader.strings("tokenizer.ggml.tokens", required: "it is the vocabulary") ?? []
        guard !tokens.isEmpty else { throw GGUFTokenizerError(.emptyVocabulary) }
        tokenTypes = try reader.integers("tokenizer.ggml.token_type", count: tokens.count) ?? []
        scores = try reader.scores("tokenizer.ggml.scores", count: tokens.count)
        merges = try reader.strings("tokenizer.ggml.merges")
        bosID = try reader.tokenID("tokenizer.ggml.bos_token_id", tokenCount: tokens.count)
        eosID = try reader.tokenID("tokenizer.ggml.eos_token_id", tokenCount: tokens.count)
        unknownID = try reader.tokenID("tokenizer.ggml.unknown_token_id", tokenCount: tokens.count)
        paddingID = try reader.tokenID("tokenizer.ggml.padding_token_id", tokenCount: tokens.count)
        addsBOS = try reader.bool("tokenizer.ggml.add_bos_token")
        addsEOS = try reader.bool("tokenizer.ggml.add_eos_token")
        chatTemplate = try reader.string("tokenizer.chat_template")
    }

    /// The type of token `id`, when the file gives types.
    func type(of id: Int) -> TokenType? {
        tokenTypes.isEmpty ? nil : TokenType(rawValue: tokenTypes[id])
    }

    /// The token an id key names, e.g. the BOS token.
    func token(_ id: Int?) -> String? { id.map { tokens[$0] } }
}

/// Typed access to metadata keys, refusing a value of the wrong type.
private struct KeyReader {
    let metadata: GGUFMetadata

    /// The value under `key`; when `required` says why it is needed, absence is an error.
    private func value(_ key: String, required reason: String?) throws(GGUFTokenizerError) -> GGUFValue? {
        let value = metadata[key]
        if value == nil, let reason { throw GGUFTokenizerError(.missingKey(key, reason: reason)) }
        return value
    }

    private func wrongType(_ key: String, _ expected: String, _ value: GGUFValue) -> GGUFTokenizerError {
        let found = value.arrayValue.map { "an array of \($0.elementType.name)" } ?? "a \(value.type.name)"
        return GGUFTokenizerError(.wrongType(key: key, expected: expected, found: found))
    }

    func string(_ key: String, required reason: String? = nil) throws(GGUFTokenizerError) -> String? {
        guard let value = try value(key, required: reason) else { return nil }
        guard let text = value.stringValue else { throw wrongType(key, "a string", value) }
        return text
    }

    func bool(_ key: String) throws(GGUFTokenizerError) -> Bool? {
        guard let value = try value(key, required: nil) else { return nil }
        guard let flag = value.boolValue else { throw wrongType(key, "a bool", value) }
        return flag
    }

    func strings(_ key: String, required reason: String? = nil) throws(GGUFTokenizerError) -> [String]? {
        guard let value = try value(key, required: reason) else { return nil }
        guard let strings = value.arrayValue?.strings else { throw wrongType(key, "an array of strings", value) }
        return strings
    }

    func integers(_ key: String, count: Int) throws(GGUFTokenizerError) -> [Int]? {
        guard let value = try value(key, required: nil) else { return nil }
        guard let integers = value.arrayValue?.ints else { throw wrongType(key, "an array of integers", value) }
        guard integers.count == count else {
            throw GGUFTokenizerError(.countMismatch(key: key, count: integers.count, tokenCount: count))
        }
        return integers
    }

    func scores(_ key: String, count: Int) throws(GGUFTokenizerError) -> [Double]? {
        guard let value = try value(key, required: nil) else { return nil }
        let scores: [Double]
        switch value.arrayValue {
        case .float32(let values): scores = values.map(Double.init)
        case .float64(let values): scores = values
        default: throw wrongType(key, "an array of float32", value)
        }
        guard scores.count == count else {
            throw GGUFTokenizerError(.countMismatch(key: key, count: scores.count, tokenCount: count))
        }
        // Merges are ranked by score, and NaN has no rank.
        if let bad = scores.firstIndex(where: \.isNaN) { throw GGUFTokenizerError(.scoreIsNaN(tokenID: bad)) }
        return scores
    }

    func tokenID(_ key: String, tokenCount: Int) throws(GGUFTokenizerError) -> Int? {
        guard let value = try value(key, required: nil) else { return nil }
        guard value.arrayValue == nil, let id = value.intValue else { throw wrongType(key, "an integer", value) }
        guard (0..<tokenCount).contains(id) else {
            throw GGUFTokenizerError(.tokenIdOutOfRange(key: key, id: id, tokenCount: tokenCount))
        }
        return id
    }
}
