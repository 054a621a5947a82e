import Base

/// The Hugging Face tokenizer files of a GGUF model, built from its
/// `tokenizer.*` metadata so that they encode exactly as transformers' own
/// conversion of the same file does (`AutoTokenizer.from_pretrained(folder,
/// gguf_file: …)` then `save_pretrained`): `tokenizer.json` byte for byte as
/// the `tokenizers` library saves it, `tokenizer_config.json` with the same
/// settings, and `chat_template.jinja` when the file has a chat template.
///
/// Supported: `tokenizer.ggml.model` "gpt2" (byte-level BPE, with the split
/// `tokenizer.ggml.pre` names) and "llama" (SentencePiece BPE with byte
/// fallback; Gemma's and Phi-3's variants by architecture). Others are
/// refused naming the model.
public enum GGUFTokenizerFiles {
    /// The tokenizer itself, read by the `tokenizers` library.
    public static let tokenizerFileName = "tokenizer.json"
    /// transformers' settings: the tokenizer class and the named special tokens.
    public static let configFileName = "tokenizer_config.json"
    /// `tokenizer.chat_template`, as transformers saves it.
    public static let chatTemplateFileName = "chat_template.jinja"

    /// The files, in the order above. Throws `GGUFTokenizerError` for
    /// metadata that describes no tokenizer Smelt can write.
    public static func files(from metadata: GGUFMetadata) throws -> [(name: String, bytes: [UInt8])] {
        let tokenizer = try GGUFTokenizer(GGUFTokenizerMetadata(metadata))
        var files = [
            (name: tokenizerFileName, bytes: tokenizer.tokenizerJSON()),
            (name: configFileName, bytes: tokenizer.configJSON()),
        ]
        if let template = tokenizer.metadata.chatTemplate {
            files.append((name: chatTemplateFileName, bytes: Array(template.utf8)))
        }
        return files
    }
}

/// Everything `tokenizer.json` and `tokenizer_config.json` say, worked out
/// from the metadata in the order transformers works it out.
struct GGUFTokenizer {
    /// A merge: the left and right token.
    typealias Pair = (String, String)

    let metadata: GGUFTokenizerMetadata
    let shape: GGUFTokenizerShape
    /// The vocabulary as spelled in `tokenizer.json`, in id order.
    let vocabulary: [String]
    let merges: [Pair]
    let addedTokens: AddedTokenTable
    /// The frontend's special tokens, as `tokenizer_config.json` names them.
    let specialTokens: [GGUFTokenizerShape.Role: String]
    /// What the post-processor puts around a sequence: (token, id).
    let bos: (token: String, id: Int)?
    let eos: (token: String, id: Int)?

    init(_ metadata: GGUFTokenizerMetadata) throws(GGUFTokenizerError) {
        self.metadata = metadata
        let shape = GGUFTokenizerShape(
            model: metadata.model, architecture: metadata.architecture, preTokenizer: metadata.preTokenizer)
        self.shape = shape
        let vocabulary = metadata.tokens.map(shape.spelling)
        var ids: [ExactString: Int] = [:]
        ids.reserveCapacity(vocabulary.count)
        for (id, token) in vocabulary.enumerated() {
            if let first = ids.updateValue(id, forKey: ExactString(token)) {
                throw GGUFTokenizerError(.duplicateToken(token, firstID: first, secondID: id))
            }
        }
        self.vocabulary = vocabulary
        merges = try Self.merges(metadata, shape: shape, vocabulary: vocabulary, ids: ids)
        addedTokens = Self.addedTokens(metadata, shape: shape, ids: ids)
        let specialTokens = shape.frontendTokens(metadata)
        self.specialTokens = specialTokens
        let table = addedTokens
        func named(_ role: GGUFTokenizerShape.Role) -> (token: String, id: Int)? {
            specialTokens[role].flatMap { token in table.id(of: token).map { (token, $0) } }
        }
        // transformers' update_post_processor: llama.cpp adds BOS to a SentencePiece vocabulary by default.
        bos = (metadata.addsBOS ?? (metadata.model == "llama")) ? named(.bos) : nil
        eos = (metadata.addsEOS ?? false) ? named(.eos) : nil
    }

    /// The file's merges, checked as the `tokenizers` library checks them
    /// (a later copy of a pair replaces an earlier one), or merges derived
    /// from the scores, or for Gemma from the token order.
    private static func merges(
        _ metadata: GGUFTokenizerMetadata, shape: GGUFTokenizerShape, vocabulary: [String], ids: [ExactString: Int]
    ) throws(GGUFTokenizerError) -> [Pair] {
        if let listed = metadata.merges { return try checked(listed, ids: ids) }
        switch shape.builder {
        case .byteLevel:
            throw GGUFTokenizerError(.missingKey("tokenizer.ggml.merges", reason: "a gpt2 tokenizer is its merges"))
        case .gemma:
            // Gemma's scores do not follow its merge order; the token order does.
            let positions = vocabulary.indices.map { -Double($0) }
            return SentencePieceMerges.derive(tokens: vocabulary, ids: ids, scores: positions)
        case .sentencePiece, .phi3:
            guard let scores = metadata.scores else {
                throw GGUFTokenizerError(
                    .missingKey("tokenizer.ggml.scores", reason: "the file has no merges to take instead"))
            }
            return SentencePieceMerges.derive(tokens: vocabulary, ids: ids, scores: scores)
        }
    }

    private static func checked(_ merges: [String], ids: [ExactString: Int]) throws(GGUFTokenizerError) -> [Pair] {
        var pairs: [Pair] = []
        pairs.reserveCapacity(merges.count)
        var lastIndexOfPair: [ExactString: Int] = [:]
        var isReplaced = false
        for (index, merge) in merges.enumerated() {
            // Split at the space scalar, as Python does: a space followed by a combining mark is one Character.
            let parts = merge.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw GGUFTokenizerError(.malformedMerge(index: index, merge: merge)) }
            let (left, right) = (String(parts[0]), String(parts[1]))
            for token in [left, right, left + right] where ids[ExactString(token)] == nil {
                throw GGUFTokenizerError(.mergeOutOfVocabulary(index: index, merge: merge, token: token))
            }
            if lastIndexOfPair.updateValue(index, forKey: ExactString(merge)) != nil { isReplaced = true }
            pairs.append((left, right))
        }
        guard isReplaced else { return pairs }
        return pairs.indices.filter { lastIndexOfPair[ExactString(merges[$0])] == $0 }.map { pairs[$0] }
    }

    /// The additions transformers makes, in its order: the builder class's
    /// default special tokens; the tokens the file marks control (special;
    /// in a byte-level vocabulary only those spelled in its alphabet, the
    /// others being llama.cpp mislabels); the ones it marks user-defined
    /// and that the vocabulary has (not special); the frontend's special
    /// tokens not added yet; and for Qwen2Tokenizer all of those again as
    /// special.
    private static func addedTokens(
        _ metadata: GGUFTokenizerMetadata, shape: GGUFTokenizerShape, ids: [ExactString: Int]
    ) -> AddedTokenTable {
        var table = AddedTokenTable(vocabulary: ids, vocabularyCount: ids.count)
        let builderDefaults = shape.builderDefaults
        for role in GGUFTokenizerShape.Role.allCases {
            if let token = builderDefaults[role], !table.contains(token) { table.add(token, isSpecial: true) }
        }
        for (id, token) in metadata.tokens.enumerated() where metadata.type(of: id) == .control {
            if shape.builder != .byteLevel || ByteLevelAlphabet.spells(token) { table.add(token, isSpecial: true) }
        }
        for (id, token) in metadata.tokens.enumerated() where metadata.type(of: id) == .userDefined {
            if table.isKnown(token) { table.add(token, isSpecial: false) }
        }
        let frontendTokens = shape.frontendTokens(metadata)
        for role in GGUFTokenizerShape.Role.allCases {
            if let token = frontendTokens[role], !table.contains(token) { table.add(token, isSpecial: true) }
        }
        if shape.frontend == .qwen2 {
            for role in GGUFTokenizerShape.Role.allCases {
                if let token = frontendTokens[role] { table.add(token, isSpecial: true) }
            }
        }
        return table
    }
}
