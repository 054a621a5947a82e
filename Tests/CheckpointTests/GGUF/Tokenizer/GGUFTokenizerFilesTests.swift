import Base
import Checkpoint
import TestSupport
import Testing

/// Tokenizer files from small metadata built in the test: what each part of
/// tokenizer.json and tokenizer_config.json holds for a byte-level and a
/// SentencePiece vocabulary.
@Suite struct GGUFTokenizerFilesTests {
    /// Control (3), user-defined (4) and normal (1) tokens of a byte-level vocabulary.
    static let byteLevelTokens: [(String, Int32)] = [
        ("<|endoftext|>", 3), ("<|im_start|>", 3), ("<|im_end|>", 3), ("<|蛇|>", 3), ("<tool>", 4), ("中", 1),
        ("Ġ", 1), ("t", 1), ("h", 1), ("e", 1), ("Ġt", 1), ("he", 1), ("Ġthe", 1), ("ä¸", 1),
    ]

    static func byteLevel(_ extra: [(String, GGUFValue)] = []) -> [(String, GGUFValue)] {
        [
            ("general.architecture", .string("qwen2")), ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("qwen2")),
            ("tokenizer.ggml.tokens", .array(.string(byteLevelTokens.map(\.0)))),
            ("tokenizer.ggml.token_type", .array(.int32(byteLevelTokens.map(\.1)))),
            ("tokenizer.ggml.merges", .array(.string(["Ġ t", "h e", "Ġt he"]))),
            ("tokenizer.ggml.eos_token_id", .uint32(2)), ("tokenizer.ggml.padding_token_id", .uint32(0)),
        ] + extra
    }

    @Test func byteLevelVocabularyRespellsTokensOutsideTheAlphabet() throws {
        let json = try tokenizerJSON(Self.byteLevel())
        let vocabulary = try #require(member(json, "model", "vocab"))
        guard case .object(let entries) = vocabulary.value else { throw TokenizerReferenceError("no vocab object") }
        #expect(entries.map(\.key)[3...5] == ["<|èĽĩ|>", "<tool>", "ä¸Ń"])
        #expect(entries.count == Self.byteLevelTokens.count)
        #expect(text(member(json, "model", "merges")) == #"[["Ġ","t"],["h","e"],["Ġt","he"]]"#)
        #expect(text(member(json, "model", "type")) == #""BPE""#)
        #expect(text(member(json, "model", "byte_fallback")) == "false")
    }

    @Test func byteLevelAddsControlAndUserDefinedTokensButNotMislabelledOnes() throws {
        let json = try tokenizerJSON(Self.byteLevel())
        // "<|蛇|>" is marked control but is not spelled in the byte alphabet: llama.cpp mislabelled it.
        #expect(
            addedTokens(json) == [
                "0 <|endoftext|> special", "1 <|im_start|> special", "2 <|im_end|> special",
                "4 <tool>",
            ])
    }

    @Test func qwen2SplitAndNoBOSByDefaultForByteLevel() throws {
        let json = try tokenizerJSON(Self.byteLevel())
        #expect(text(member(json, "pre_tokenizer", "type")) == #""Sequence""#)
        #expect(text(member(json, "normalizer")) == "null")
        #expect(text(member(json, "post_processor", "special_tokens")) == "{}")
        #expect(text(member(json, "decoder", "type")) == #""ByteLevel""#)
    }

    @Test func addsTheFileBOSAndEOSWhenItSaysSo() throws {
        let json = try tokenizerJSON(
            Self.byteLevel([
                ("tokenizer.ggml.bos_token_id", .uint32(1)), ("tokenizer.ggml.add_bos_token", .bool(true)),
                ("tokenizer.ggml.add_eos_token", .bool(true)),
            ]))
        #expect(
            text(member(json, "post_processor", "single"))
                == #"[{"SpecialToken":{"id":"<|im_start|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},"#
                + #"{"SpecialToken":{"id":"<|im_end|>","type_id":0}}]"#)
        #expect(
            text(member(json, "post_processor", "special_tokens"))
                == #"{"<|im_end|>":{"id":"<|im_end|>","ids":[2],"tokens":["<|im_end|>"]},"#
                + #""<|im_start|>":{"id":"<|im_start|>","ids":[1],"tokens":["<|im_start|>"]}}"#)
    }

    @Test func configNamesTheFrontendAndTheFileSpecialTokens() throws {
        let files = try GGUFTokenizerFiles.files(from: metadata(Self.byteLevel()))
        let config = try #require(files.first { $0.name == "tokenizer_config.json" })
        let expected = """
            {
              "add_prefix_space": null,
              "backend": "tokenizers",
              "bos_token": null,
              "eos_token": "<|im_end|>",
              "model_max_length": 1000000000000000019884624838656,
              "pad_token": "<|endoftext|>",
              "tokenizer_class": "Qwen2Tokenizer",
              "unk_token": null
            }

            """
        #expect(config.bytes == Array(expected.utf8))
        #expect(files.map(\.name) == ["tokenizer.json", "tokenizer_config.json"])
    }

    @Test func writesTheChatTemplateAsItsOwnFile() throws {
        let template = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}"
        let files = try GGUFTokenizerFiles.files(
            from: metadata(Self.byteLevel([("tokenizer.chat_template", .string(template))])))
        #expect(files.map(\.name) == ["tokenizer.json", "tokenizer_config.json", "chat_template.jinja"])
        #expect(files.last?.bytes == Array(template.utf8))
    }

    @Test func writesTheSameBytesEveryTime() throws {
        let entries = Self.byteLevel([("tokenizer.chat_template", .string("x"))])
        let first = try GGUFTokenizerFiles.files(from: metadata(entries))
        let second = try GGUFTokenizerFiles.files(from: metadata(entries))
        #expect(first.map(\.name) == second.map(\.name))
        #expect(first.map(\.bytes) == second.map(\.bytes))
    }
}

/// Metadata parsed from a GGUF holding `entries` and no tensors.
func metadata(_ entries: [(String, GGUFValue)]) throws -> GGUFMetadata {
    try parseGGUF(GGUFBuilder.file(metadata: entries)).metadata
}

func tokenizerJSON(_ entries: [(String, GGUFValue)]) throws -> JSONNode {
    let files = try GGUFTokenizerFiles.files(from: metadata(entries))
    return try JSONScanner.parse(try #require(files.first { $0.name == "tokenizer.json" }).bytes, keyEquality: .exact)
}

/// The value at a path of object keys.
func member(_ node: JSONNode, _ path: String...) -> JSONNode? {
    path.reduce(Optional(node)) { node, key in node.flatMap { TokenizerReference.member($0, key) } }
}

/// Compact JSON of a value (nil: "absent").
func text(_ node: JSONNode?) -> String {
    node.map { String(decoding: TokenizerReference.canonical($0), as: UTF8.self) } ?? "absent"
}

/// The added tokens as "id content[ special]".
func addedTokens(_ json: JSONNode) -> [String] {
    guard case .array(let tokens)? = member(json, "added_tokens")?.value else { return [] }
    return tokens.map { token in
        let id = text(member(token, "id"))
        guard case .string(let content)? = member(token, "content")?.value else { return id }
        return "\(id) \(content)" + (text(member(token, "special")) == "true" ? " special" : "")
    }
}
