import Base
import Testing

@testable import Tokenize

/// Loss masks and the refusal of chat records without a template.
@Suite struct RecordEncoderTests {
    private func encoder(template: ChatTemplate? = nil) throws -> RecordEncoder {
        let tokenizer = try Tokenizer(json: Array(TokenizerRefusalTests.valid.utf8), file: "t.json")
        return RecordEncoder(tokenizer: tokenizer, config: TokenizerConfig(), chatTemplate: template, origin: "model")
    }

    private func record(_ line: String) throws -> DataRecord {
        let bytes = Array(line.utf8)
        return try bytes.withUnsafeBytes { try DataRecord(json: $0, file: "d.jsonl", line: 3) }
    }

    @Test func masksTheCompletionOfPromptCompletionRecords() throws {
        let encoded = try encoder().encode(record(#"{"prompt": "ab", "completion": "ba"}"#))
        #expect(encoded.encoding.tokens == ["ab", "b", "a"])
        #expect(encoded.lossMask == [false, true, true])
        #expect(encoded.lossSpans == [2..<4])
    }

    @Test func countsEveryTokenOfTextRecords() throws {
        let encoded = try encoder().encode(record(#"{"text": "abab"}"#))
        #expect(encoded.lossMask == nil)
        #expect(encoded.encoding.ids == [2, 2])
    }

    @Test func refusesAChatRecordWithoutTemplate() throws {
        let error = try #require(throws: ChatRecordError.self) {
            try encoder().encode(record(#"{"messages": [{"role": "user", "content": "ab"}]}"#))
        }
        #expect(
            error.description == #"d.jsonl:3: a chat record ("messages") needs a chat template, and model has none"#)
        #expect(error.exitCode == .dataError)
    }

    @Test func findsEveryMessagesContentInOrder() throws {
        let messages = [
            DataRecord.ChatMessage(role: "system", content: "", object: .null),
            DataRecord.ChatMessage(role: "user", content: "ab", object: .null),
            DataRecord.ChatMessage(role: "tool", content: "zz", object: .null),
            DataRecord.ChatMessage(role: "assistant", content: "ab", object: .null),
        ]
        let spans = try RecordEncoder.contentSpans(of: messages, in: "<u>ab</u><a>ab</a>", file: "d", line: 1)
        #expect(spans == [nil, 3..<5, nil, 12..<14])
    }
}
