import Base
/// Which tokenizer a GGUF describes, in the terms of transformers' GGUF
/// conversion (integrations/gguf/gguf_tokenizer_mapping.py): the class that
/// builds the backend tokenizer from `tokenizer.ggml.model` (and, for a
/// SentencePiece vocabulary, the architecture), the split that
/// `tokenizer.ggml.pre` selects, and the class `AutoTokenizer` wraps it in,
/// chosen by the architecture. Each brings its own default special tokens.
struct GGUFTokenizerShape: Equatable {
    /// The class that builds the backend tokenizer.
    enum Builder: Equatable {
        /// `GPT2Tokenizer`: byte-level BPE.
        case byteLevel
        /// `LlamaTokenizer`: SentencePiece BPE with byte fallback and a `▁` prefix.
        case sentencePiece
        /// `GemmaTokenizer`: SentencePiece BPE, spaces replaced by `▁`, merges from token order.
        case gemma
        /// `LlamaTokenizer` with the prefix and spaces done by a normalizer.
        case phi3
    }

    /// The class `AutoTokenizer` picks for the architecture.
    enum Frontend: String, Equatable {
        case tokenizersBackend = "TokenizersBackend"
        case qwen2 = "Qwen2Tokenizer"
        case gemma = "GemmaTokenizer"
    }

    /// transformers' named special tokens, in its order (SPECIAL_TOKENS_ATTRIBUTES).
    enum Role: String, CaseIterable {
        case bos = "bos_token", eos = "eos_token", unk = "unk_token", sep = "sep_token", pad = "pad_token"
        case cls = "cls_token", mask = "mask_token"
    }

    let builder: Builder
    let frontend: Frontend
    /// The regular expression of the split `tokenizer.ggml.pre` names, if transformers knows it.
    let split: String?

    init(model: String, architecture: String, preTokenizer: String?) {
        switch (model, architecture) {
        case ("gpt2", _): builder = .byteLevel
        case ("llama", "gemma"), ("llama", "gemma2"), ("llama", "gemma3"): builder = .gemma
        case ("llama", "phi3"): builder = .phi3
        default: builder = .sentencePiece
        }
        switch architecture {
        case "gemma", "gemma2", "gemma3": frontend = .gemma
        case "qwen2", "qwen2moe", "qwen3", "qwen3moe": frontend = .qwen2
        default: frontend = .tokenizersBackend
        }
        split = preTokenizer.flatMap { PreTokenizerSplits.regex(named: $0) }
    }

    /// The special tokens the builder class defaults to.
    var builderDefaults: [Role: String] {
        switch builder {
        case .byteLevel: [.bos: "<|endoftext|>", .eos: "<|endoftext|>", .unk: "<|endoftext|>"]
        case .sentencePiece, .phi3: [.bos: "<s>", .eos: "</s>", .unk: "<unk>"]
        case .gemma: [.bos: "<bos>", .eos: "<eos>", .unk: "<unk>", .pad: "<pad>", .mask: "<mask>"]
        }
    }

    /// The special tokens of the frontend class: the file's BOS, EOS,
    /// unknown and padding tokens (absent ones stay absent), and the
    /// frontend's own defaults for the roles the file has no key for.
    func frontendTokens(_ metadata: GGUFTokenizerMetadata) -> [Role: String] {
        var tokens: [Role: String] = [:]
        tokens[.bos] = metadata.token(metadata.bosID)
        tokens[.eos] = metadata.token(metadata.eosID)
        tokens[.unk] = metadata.token(metadata.unknownID)
        tokens[.pad] = metadata.token(metadata.paddingID)
        if frontend == .gemma { tokens[.mask] = "<mask>" }
        return tokens
    }

    /// How a token of the file is spelled in the vocabulary.
    func spelling(_ token: String) -> String {
        switch builder {
        case .byteLevel:
            return ByteLevelAlphabet.spelling(token)
        case .gemma:
            // Gemma files store runs of blanks with real spaces; GemmaTokenizer looks them up as `▁`s.
            let scalars = token.unicodeScalars
            guard scalars.contains(" "), scalars.allSatisfy(isPythonWhitespace) else { return token }
            return String(repeating: "\u{2581}", count: scalars.count)
        case .sentencePiece, .phi3:
            return token
        }
    }
}

/// Python's `str.isspace` (what `str.strip()` removes).
private func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
        true
    default:
        false
    }
}
