import Foundation
import Base
import Testing

@testable import Tokenize

/// Malformed tokenizer.json files are refused with the place and the rule,
/// never half-loaded: each case changes one thing in a small valid file.
@Suite struct TokenizerRefusalTests {
    static let valid = """
        {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "normalizer": null,
         "pre_tokenizer": null, "post_processor": null, "decoder": null,
         "model": {"type": "BPE", "unk_token": null, "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}
        """

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let from: String
        let to: String
        let place: String
        let problem: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "unknown normalizer", from: #""normalizer": null"#, to: #""normalizer": {"type": "Precompiled"}"#,
            place: "normalizer", problem: #"normalizer "Precompiled" is not supported"#),
        Case(
            name: "unknown pre-tokenizer inside a sequence", from: #""pre_tokenizer": null"#,
            to:
                #""pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "UnicodeScripts"}]}"#,
            place: "pre_tokenizer.pretokenizers[1]", problem: #"pre-tokenizer "UnicodeScripts" is not supported"#),
        Case(
            name: "unknown post-processor", from: #""post_processor": null"#,
            to: #""post_processor": {"type": "Fancy"}"#,
            place: "post_processor", problem: #"post-processor "Fancy" is not supported"#),
        Case(
            name: "unknown decoder", from: #""decoder": null"#, to: #""decoder": {"type": "CTC"}"#,
            place: "decoder", problem: #"decoder "CTC" is not supported"#),
        Case(
            name: "unknown model", from: #""type": "BPE""#, to: #""type": "Chars""#,
            place: "model", problem: #"model "Chars" is not supported (BPE, WordPiece or Unigram)"#),
        Case(
            name: "unknown setting of a component", from: #""normalizer": null"#,
            to: #""normalizer": {"type": "Strip", "strip_left": true, "strip_middle": true}"#,
            place: "normalizer", problem: #"Strip setting "strip_middle" is not supported"#),
        Case(
            name: "unknown top-level member", from: #""version": "1.0""#, to: #""version": "1.0", "extra": 1"#,
            place: "", problem: #"unknown member "extra""#),
        Case(
            name: "merge naming an unknown token", from: #""merges": ["a b"]"#, to: #""merges": ["a c"]"#,
            place: "model.merges", problem: #"merge 0 names unknown token "c""#),
        Case(
            name: "merge making a token the vocabulary lacks", from: #""merges": ["a b"]"#,
            to: #""merges": ["a b", "b a"]"#,
            place: "model.merges", problem: #"merge 1 makes "ba", which is not in the vocabulary"#),
        Case(
            name: "merge of three tokens", from: #""merges": ["a b"]"#, to: #""merges": ["a b c"]"#,
            place: "model.merges", problem: #"merge 0 "a b c" is not two tokens"#),
        Case(
            name: "duplicate ids in the vocabulary", from: #""b": 1"#, to: #""b": 0"#,
            place: "model.vocab", problem: #"id 0 is given to both "a" and "b""#),
        Case(
            name: "ids far beyond the vocabulary", from: #""ab": 2"#, to: #""ab": 5000"#,
            place: "model.vocab", problem: "ids run up to 5000 for 3 tokens"),
        Case(
            name: "duplicate token in the vocabulary", from: #""b": 1"#, to: #""a": 1"#,
            place: #"byte at "a": 1"#, problem: #"duplicate key "a""#),
        Case(
            name: "duplicate ids in added tokens", from: #""added_tokens": []"#,
            to:
                #""added_tokens": [{"id": 3, "content": "<s>", "special": true}, {"id": 3, "content": "</s>", "special": true}]"#,
            place: "added_tokens[1]", problem: #"id 3 is given to both "<s>" and "</s>""#),
        Case(
            name: "added token contradicting the vocabulary", from: #""added_tokens": []"#,
            to: #""added_tokens": [{"id": 0, "content": "<s>", "special": true}]"#,
            place: "added_tokens[0]", problem: #"id 0 is "<s>" here but "a" in the model's vocabulary"#),
        Case(
            name: "bad regex", from: #""pre_tokenizer": null"#,
            to:
                #""pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(ab"}, "behavior": "Isolated", "invert": false}"#,
            place: "pre_tokenizer.pattern.Regex", problem: "bad regular expression"),
        Case(
            name: "unknown split behaviour", from: #""pre_tokenizer": null"#,
            to:
                #""pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways", "invert": false}"#,
            place: "pre_tokenizer.behavior", problem: #"unknown split behavior "Sideways""#),
        Case(
            name: "template naming an unknown special token", from: #""post_processor": null"#,
            to:
                #""post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}], "pair": [], "special_tokens": {}}"#,
            place: "post_processor.single[0].SpecialToken", problem: #""<s>" is not in special_tokens"#),
        Case(
            name: "unknown token that is not in the vocabulary", from: #""unk_token": null"#,
            to: #""unk_token": "<unk>""#,
            place: "model.unk_token", problem: #""<unk>" is not in the vocabulary"#),
        Case(
            name: "random dropout", from: #""type": "BPE""#, to: #""type": "BPE", "dropout": 0.1"#,
            place: "model.dropout", problem: "BPE dropout is random; Smelt encodes deterministically and refuses it"),
        Case(
            name: "not JSON", from: #""version": "1.0""#, to: #""version": "1.0",,"version": 1"#,
            place: #"byte at ,"version"#, problem: "expected a string key"),
    ]

    @Test func acceptsTheValidFile() throws {
        let tokenizer = try Tokenizer(json: Array(Self.valid.utf8), file: "t.json")
        #expect(tokenizer.encode("abba").ids == [2, 1, 0])
    }

    @Test(arguments: cases) func refuses(_ refusal: Case) throws {
        #expect(Self.valid.contains(refusal.from), "the case must change the file")
        let text = Self.valid.replacingOccurrences(of: refusal.from, with: refusal.to)
        let error = try #require(throws: TokenizerError.self) { try Tokenizer(json: Array(text.utf8), file: "t.json") }
        #expect(error.file == "t.json")
        var place = refusal.place
        if place.hasPrefix("byte at "), let range = text.range(of: place.dropFirst("byte at ".count)) {
            // A syntax error is placed at the byte where the bad text starts.
            let offset = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
            place = "byte \(offset)"
        }
        #expect(error.place == place)
        #expect(error.problem.hasPrefix(refusal.problem), "\(error.problem)")
    }
}
