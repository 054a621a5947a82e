import Base
import Checkpoint
import Testing

/// SentencePiece ("llama") vocabularies: merges recovered from the scores
/// (or, for Gemma, from the token order), byte fallback, and the added
/// tokens and defaults of LlamaTokenizer and GemmaTokenizer.
@Suite struct GGUFTokenizerSentencePieceTests {
    /// Unknown (2), control (3), byte (6), normal (1) and user-defined (4) tokens, with scores.
    static let tokens: [(String, Int32, Float)] = [
        ("<unk>", 2, 0), ("<s>", 3, 0), ("</s>", 3, 0), ("<0x0A>", 6, 0), ("▁", 1, -1), ("a", 1, -2), ("b", 1, -3),
        ("ab", 1, -4), ("▁a", 1, -4), ("▁ab", 1, -5), ("ba", 1, -6), ("  ", 4, 0), ("<|user|>", 4, 0),
    ]

    static func sentencePiece(
        architecture: String = "llama", _ extra: [(String, GGUFValue)] = []
    ) -> [(
        String, GGUFValue
    )] {
        [
            ("general.architecture", .string(architecture)), ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .array(.string(tokens.map(\.0)))),
            ("tokenizer.ggml.token_type", .array(.int32(tokens.map(\.1)))),
            ("tokenizer.ggml.scores", .array(.float32(tokens.map(\.2)))), ("tokenizer.ggml.bos_token_id", .uint32(1)),
            ("tokenizer.ggml.eos_token_id", .uint32(2)), ("tokenizer.ggml.unknown_token_id", .uint32(0)),
        ] + extra
    }

    @Test func derivesMergesByScoreThenLeftLengthThenFileOrder() throws {
        let json = try tokenizerJSON(Self.sentencePiece())
        // "ab" and "▁a" tie at -4: file order; "▁ab" cuts as "▁a"+"b" before "▁"+"ab" (longer left half).
        #expect(
            text(member(json, "model", "merges"))
                == #"[["a","b"],["▁","a"],["▁a","b"],["▁","ab"],["b","a"]]"#)
    }

    @Test func takesTheFileMergesWhenItHasThem() throws {
        let json = try tokenizerJSON(Self.sentencePiece([("tokenizer.ggml.merges", .array(.string(["b a", "▁ a"])))]))
        #expect(text(member(json, "model", "merges")) == #"[["b","a"],["▁","a"]]"#)
    }

    /// Python splits "e \u{301}" at the space; Swift's Characters would see " \u{301}" as one.
    @Test func splitsMergesAtTheSpaceScalar() throws {
        let tokens = ["<unk>", "e", "\u{301}", "e\u{301}"]
        let json = try tokenizerJSON([
            ("general.architecture", .string("llama")), ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .array(.string(tokens))),
            ("tokenizer.ggml.merges", .array(.string(["e \u{301}"]))),
        ])
        #expect(text(member(json, "model", "merges")) == "[[\"e\",\"\u{301}\"]]")
    }

    @Test func llamaUsesMetaspaceByteFallbackAndAddsBOSByDefault() throws {
        let json = try tokenizerJSON(Self.sentencePiece())
        #expect(text(member(json, "pre_tokenizer", "type")) == #""Metaspace""#)
        #expect(text(member(json, "model", "byte_fallback")) == "true")
        #expect(text(member(json, "model", "unk_token")) == "null")
        #expect(
            text(member(json, "post_processor", "single"))
                == #"[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}]"#)
        #expect(addedTokens(json) == ["0 <unk> special", "1 <s> special", "2 </s> special", "11   ", "12 <|user|>"])
    }

    @Test func gemmaRespellsBlanksAndAddsItsDefaultSpecialTokens() throws {
        let json = try tokenizerJSON(Self.sentencePiece(architecture: "gemma3"))
        guard case .object(let vocabulary)? = member(json, "model", "vocab")?.value else {
            throw TokenizerReferenceError("no vocab object")
        }
        #expect(vocabulary[11].key == "▁▁")
        // Merges follow token order, not scores; "▁▁" is a token now, so it merges too.
        #expect(
            text(member(json, "model", "merges"))
                == #"[["a","b"],["▁","a"],["▁a","b"],["▁","ab"],["b","a"],["▁","▁"]]"#)
        // "  " is not in the respelled vocabulary, so it is not added; GemmaTokenizer's own names are.
        #expect(
            addedTokens(json) == [
                "0 <unk> special", "1 <s> special", "2 </s> special", "12 <|user|>", "13 <bos> special",
                "14 <eos> special", "15 <pad> special", "16 <mask> special",
            ])
        #expect(text(member(json, "model", "unk_token")) == #""<unk>""#)
        #expect(text(member(json, "normalizer", "type")) == #""Replace""#)
    }

    @Test func addsNoBOSWhenTheFileSaysNot() throws {
        let json = try tokenizerJSON(Self.sentencePiece([("tokenizer.ggml.add_bos_token", .bool(false))]))
        #expect(text(member(json, "post_processor", "single")) == #"[{"Sequence":{"id":"A","type_id":0}}]"#)
    }
}
