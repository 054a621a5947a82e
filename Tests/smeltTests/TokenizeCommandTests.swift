import Base
import Foundation
import TestSupport
import Testing

/// `smelt tokenize` as a user runs it: text and JSONL records, JSON and
/// terminal output, thread counts, chat templates, and its refusals.
@Suite struct TokenizeCommandTests {
    static let minilm = CommandRunner.fixture("tokenize/minilm")
    static let template = CommandRunner.fixture("tokenize/chat/templates/smollm2.jinja")

    private func write(_ lines: [String]) throws -> String {
        let path = try CommandRunner.temporaryFolder() + "/data.jsonl"
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try CommandRunner.json(String($0)) }
    }

    @Test func encodesTextAsTheLibraryDoes() throws {
        let result = try CommandRunner.run([
            "tokenize", Self.minilm, "The quick brown fox jumps over the lazy dog.", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try CommandRunner.json(result.standardOutput)
        #expect(object["ids"] as? [Int] == [101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102])
        #expect((object["offsets"] as? [[Int]])?.first == [0, 0])
        #expect(object["decoded"] as? String == "[CLS] the quick brown fox jumps over the lazy dog. [SEP]")
        #expect(object["loss_mask"] == nil)
        let plain = try CommandRunner.run(["tokenize", Self.minilm, "The quick", "--json", "--no-special-tokens"])
        #expect(try CommandRunner.json(plain.standardOutput)["ids"] as? [Int] == [1996, 4248])
    }

    @Test func showsTokensReadablyWithoutJSON() throws {
        let result = try CommandRunner.run(["tokenize", Self.minilm + "/tokenizer.json", "Hello\tworld"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("4 tokens\n"))
        #expect(result.standardOutput.contains(#""world""#))
        #expect(result.standardOutput.contains(#"decoded: "[CLS] hello world [SEP]""#))
    }

    @Test func recordsComeOutInFileOrderWhateverTheThreads() throws {
        var lines: [String] = []
        for index in 0..<300 {
            lines.append(
                index % 3 == 0
                    ? #"{"text": "record \#(index) café"}"#
                    : #"{"id": "p\#(index)", "prompt": "Q\#(index)?", "completion": " A \#(index)."}"#)
        }
        let data = try write(lines)
        let one = try CommandRunner.run(["tokenize", Self.minilm, "--input", data, "--json", "--threads", "1"])
        let four = try CommandRunner.run(["tokenize", Self.minilm, "--input", data, "--json", "--threads", "4"])
        #expect(one.status == 0 && four.status == 0, "\(one.standardError) \(four.standardError)")
        #expect(one.standardOutput == four.standardOutput)
        let records = try jsonLines(one.standardOutput)
        #expect(records.count == 300)
        #expect(records[0]["id"] as? Int == 1 && records[1]["id"] as? String == "p1")
        #expect(records[1]["tokens"] as? [String] == ["[CLS]", "q", "##1", "?", "a", "1", ".", "[SEP]"])
        #expect(records[1]["loss_mask"] as? [Int] == [0, 0, 0, 0, 1, 1, 1, 0])
    }

    @Test func rendersChatsWithTheGivenTemplate() throws {
        let data = try write([
            #"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello there"}]}"#
        ])
        let result = try CommandRunner.run([
            "tokenize", Self.minilm, "--input", data, "--json", "--chat-template", Self.template,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let record = try CommandRunner.json(result.standardOutput)
        let tokens = try #require(record["tokens"] as? [String])
        let mask = try #require(record["loss_mask"] as? [Int])
        let counted = zip(tokens, mask).filter { $0.1 == 1 }.map(\.0)
        #expect(counted == ["hello", "there"])
    }

    @Test func stopsAtAChatRecordWithoutTemplateAfterPrintingTheOnesBefore() throws {
        let data = try write([
            #"{"text": "one"}"#, #"{"text": "two"}"#, #"{"messages": [{"role": "user", "content": "hi"}]}"#,
        ])
        let result = try CommandRunner.run(["tokenize", Self.minilm, "--input", data, "--json"])
        #expect(result.status == 65)
        #expect(try jsonLines(result.standardOutput).count == 2)
        #expect(result.standardError.contains("data.jsonl:3: a chat record (\"messages\") needs a chat template"))
        #expect(result.standardError.contains("--chat-template"))
    }

    @Test(arguments: [
        (["tokenize", "/nonexistent/model", "x"], Int32(66), "/nonexistent/model does not exist"),
        (["tokenize", minilm], Int32(64), "give TEXT or --input FILE.jsonl"),
        (["tokenize", minilm, "x", "--input", "d.jsonl"], Int32(64), "give TEXT or --input, not both"),
        (["tokenize", minilm, "x", "--threads", "0"], Int32(64), "--threads"),
        (["tokenize", CommandRunner.fixture("tokenize"), "x"], Int32(66), "has no tokenizer.json"),
    ])
    func refusesBadCommandLines(arguments: [String], status: Int32, message: String) throws {
        let result = try CommandRunner.run(arguments)
        #expect(result.status == status)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test func namesTheLineOfAMalformedRecord() throws {
        let data = try write([#"{"text": "ok"}"#, #"{"txt": "typo"}"#])
        let result = try CommandRunner.run(["tokenize", Self.minilm, "--input", data])
        #expect(result.status == 65)
        #expect(result.standardError.contains(#"data.jsonl:2: unknown key "txt""#), "\(result.standardError)")
        #expect(result.standardOutput.contains("record 1 (line 1): 3 tokens, 3 in the loss"))
    }

    @Test(.enabled(if: RealModel.smolLM2.isPresent, "SmolLM2 GGUF missing: run tools/fetch-models.sh smollm2"))
    func readsTheTokenizerAndTemplateOfAGGUF() throws {
        let data = try write([
            #"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}"#
        ])
        let result = try CommandRunner.run(["tokenize", RealModel.smolLM2.path, "--input", data, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let record = try CommandRunner.json(result.standardOutput)
        let decoded = try #require(record["decoded"] as? String)
        #expect(decoded.hasPrefix("<|im_start|>system\nYou are a helpful AI assistant named SmolLM"))
        let tokens = try #require(record["tokens"] as? [String])
        let mask = try #require(record["loss_mask"] as? [Int])
        #expect(zip(tokens, mask).filter { $0.1 == 1 }.map(\.0) == ["Hello", "!"])
    }
}
