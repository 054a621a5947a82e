import Base
import Checkpoint
import Testing

/// Metadata that describes no tokenizer Smelt can write is refused with one
/// line naming the key and the rule (exit 65).
@Suite struct GGUFTokenizerRefusalTests {
    typealias Entries = [(String, GGUFValue)]

    static func replacing(_ key: String, with value: GGUFValue?, in entries: Entries) -> Entries {
        let kept = entries.filter { $0.0 != key }
        return value.map { kept + [(key, $0)] } ?? kept
    }

    static let byteLevel = GGUFTokenizerFilesTests.byteLevel()
    static let sentencePiece = GGUFTokenizerSentencePieceTests.sentencePiece()

    static let cases: [(name: String, entries: Entries, message: String)] = [
        (
            "no model", replacing("tokenizer.ggml.model", with: nil, in: byteLevel),
            "tokenizer.ggml.model is missing (it names the tokenizer)"
        ),
        (
            "unknown model", replacing("tokenizer.ggml.model", with: .string("t5"), in: sentencePiece),
            "tokenizer.ggml.model is \"t5\", a tokenizer Smelt cannot write yet (known: gpt2, llama)"
        ),
        (
            "no architecture", replacing("general.architecture", with: nil, in: byteLevel),
            "general.architecture is missing (it picks the tokenizer's shape)"
        ),
        (
            "no tokens", replacing("tokenizer.ggml.tokens", with: nil, in: byteLevel),
            "tokenizer.ggml.tokens is missing (it is the vocabulary)"
        ),
        (
            "empty vocabulary", replacing("tokenizer.ggml.tokens", with: .array(.string([])), in: byteLevel),
            "tokenizer.ggml.tokens is empty"
        ),
        (
            "tokens not strings", replacing("tokenizer.ggml.tokens", with: .array(.int32([1])), in: byteLevel),
            "tokenizer.ggml.tokens must be an array of strings, found an array of int32"
        ),
        (
            "model not a string", replacing("tokenizer.ggml.model", with: .uint32(2), in: byteLevel),
            "tokenizer.ggml.model must be a string, found a uint32"
        ),
        (
            "types too short", replacing("tokenizer.ggml.token_type", with: .array(.int32([1, 1])), in: byteLevel),
            "tokenizer.ggml.token_type has 2 entries for 14 tokens"
        ),
        (
            "scores not floats",
            replacing(
                "tokenizer.ggml.scores", with: .array(.string(Array(repeating: "x", count: 13))), in: sentencePiece),
            "tokenizer.ggml.scores must be an array of float32, found an array of string"
        ),
        (
            "score NaN",
            replacing(
                "tokenizer.ggml.scores", with: .array(.float32([0, 0, 0, .nan] + Array(repeating: 0, count: 9))),
                in: sentencePiece),
            "tokenizer.ggml.scores of token 3 is NaN"
        ),
        (
            "BOS id past the vocabulary", replacing("tokenizer.ggml.bos_token_id", with: .uint32(14), in: byteLevel),
            "tokenizer.ggml.bos_token_id is 14, not the id of one of the 14 tokens"
        ),
        (
            "negative padding id", replacing("tokenizer.ggml.padding_token_id", with: .int32(-1), in: byteLevel),
            "tokenizer.ggml.padding_token_id is -1, not the id of one of the 14 tokens"
        ),
        (
            "EOS id a string", replacing("tokenizer.ggml.eos_token_id", with: .string("2"), in: byteLevel),
            "tokenizer.ggml.eos_token_id must be an integer, found a string"
        ),
        (
            "merges not strings", replacing("tokenizer.ggml.merges", with: .array(.uint8([1])), in: byteLevel),
            "tokenizer.ggml.merges must be an array of strings, found an array of uint8"
        ),
        (
            "chat template not a string",
            replacing("tokenizer.chat_template", with: .array(.string(["a"])), in: byteLevel),
            "tokenizer.chat_template must be a string, found an array of string"
        ),
        (
            "add_bos not a bool", replacing("tokenizer.ggml.add_bos_token", with: .uint8(1), in: byteLevel),
            "tokenizer.ggml.add_bos_token must be a bool, found a uint8"
        ),
        (
            "byte-level without merges", replacing("tokenizer.ggml.merges", with: nil, in: byteLevel),
            "tokenizer.ggml.merges is missing (a gpt2 tokenizer is its merges)"
        ),
        (
            "SentencePiece without merges or scores", replacing("tokenizer.ggml.scores", with: nil, in: sentencePiece),
            "tokenizer.ggml.scores is missing (the file has no merges to take instead)"
        ),
        (
            "merge of three tokens",
            replacing("tokenizer.ggml.merges", with: .array(.string(["Ġ t", "h e x"])), in: byteLevel),
            "merge 1 \"h e x\" is not two tokens separated by one space"
        ),
        (
            "merge of an unknown token",
            replacing("tokenizer.ggml.merges", with: .array(.string(["Ġ the"])), in: byteLevel),
            "merge 0 \"Ġ the\" needs the token \"the\", which is not in the vocabulary"
        ),
        (
            "merge into an unknown token",
            replacing("tokenizer.ggml.merges", with: .array(.string(["t h"])), in: byteLevel),
            "merge 0 \"t h\" needs the token \"th\", which is not in the vocabulary"
        ),
        (
            "duplicate token",
            replacing(
                "tokenizer.ggml.tokens",
                with: .array(.string(GGUFTokenizerFilesTests.byteLevelTokens.map(\.0).dropLast() + ["he"])),
                in: byteLevel),
            "token \"he\" appears twice (ids 11 and 13); a tokenizer.json vocabulary holds each token once"
        ),
    ]

    @Test(arguments: cases.indices)
    func refusesWithTheKeyAndTheRule(_ index: Int) throws {
        let (name, entries, message) = Self.cases[index]
        let parsed = try metadata(entries)
        do {
            _ = try GGUFTokenizerFiles.files(from: parsed)
            Issue.record("\(name): accepted")
        } catch let error as GGUFTokenizerError {
            #expect(error.description == "GGUF tokenizer metadata: " + message, "\(name)")
            #expect(error.naming(file: "m.gguf").description == "m.gguf: GGUF tokenizer metadata: " + message)
            #expect(error.exitCode == .dataError)
        }
    }

    /// Two spellings of "é" (precomposed, decomposed) are two tokens, as in Gemma 3's vocabulary.
    @Test func keepsTokensThatDifferOnlyInUnicodeNormalization() throws {
        let tokens = GGUFTokenizerSentencePieceTests.tokens.map(\.0).dropLast(2) + ["\u{E9}", "e\u{301}"]
        let entries = Self.replacing(
            "tokenizer.ggml.tokens", with: .array(.string(Array(tokens))), in: Self.sentencePiece)
        let json = try tokenizerJSON(entries)
        guard case .object(let vocabulary)? = member(json, "model", "vocab")?.value else {
            throw TokenizerReferenceError("no vocab object")
        }
        #expect(vocabulary.suffix(2).map { Array($0.key.utf8) } == [[0xC3, 0xA9], [0x65, 0xCC, 0x81]])
    }
}
