import Base
import TestSupport
import Testing

@testable import Tokenize

/// Data records (DESIGN.md "Data records"): the three kinds, ids, and every
/// malformed line refused naming the file, the line and the rule.
@Suite struct DataRecordTests {
    private func parse(_ line: String, number: Int = 7) throws(DataRecordError) -> DataRecord {
        let bytes = Array(line.utf8)
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DataRecordError) in try DataRecord(json: raw, file: "d.jsonl", line: number) }
        }
        return try result.get()
    }

    @Test func readsTheThreeKinds() throws {
        guard case .text("hi") = try parse(#"{"text": "hi"}"#).content else { Issue.record("text"); return }
        guard case .promptCompletion("Q", "A") = try parse(#"{"prompt": "Q", "completion": "A"}"#).content else {
            Issue.record("prompt/completion")
            return
        }
        let chat = try parse(#"{"id": "c1", "messages": [{"role": "user", "content": "x", "name": "n"}]}"#)
        guard case .messages(let messages) = chat.content else { Issue.record("messages"); return }
        #expect(messages.map(\.role) == ["user"] && messages.map(\.content) == ["x"])
        #expect(chat.id == .string("c1"))
    }

    @Test func numbersRecordsWithoutIDByLine() throws {
        #expect(try parse(#"{"text": ""}"#, number: 12).id == .integer(12))
        #expect(try parse(#"{"id": 5, "text": ""}"#).id == .unsigned(5))
    }

    @Test(arguments: [
        (#"[1]"#, "a record is a JSON object, not an array"),
        (
            #"{"text": "a", "lang": "en"}"#,
            #"unknown key "lang" (a record has text, messages, or prompt and completion, and an optional id)"#
        ),
        (#"{"id": "x"}"#, "a record needs text, messages, or prompt and completion"),
        (
            #"{"text": "a", "prompt": "b", "completion": "c"}"#,
            "a record has one of text, messages, prompt; this one has text and prompt"
        ),
        (#"{"text": 3}"#, #""text" must be a string, not an unsigned integer"#),
        (#"{"prompt": "a"}"#, #"missing "completion""#),
        (#"{"text": "a", "completion": "c"}"#, #""completion" goes with "prompt""#),
        (#"{"messages": []}"#, #""messages" must be a non-empty list of {"role", "content"} objects"#),
        (#"{"messages": [{"role": "user"}]}"#, #"messages[0] must be an object with string "role" and "content""#),
        (#"{"id": -1, "text": "a"}"#, "id must be a string or a non-negative integer, not the number -1"),
        (#"{"text": "a""#, "not JSON at byte 12 of the line: unexpected end of JSON inside an object"),
    ])
    func refusesMalformedLines(line: String, problem: String) {
        #expect(throws: DataRecordError(file: "d.jsonl", line: 7, problem: problem)) { try parse(line) }
    }

    @Test func readsLinesInBatchesSkippingBlankOnes() throws {
        let folder = try TestFiles.temporaryFolder()
        let path = folder + "/d.jsonl"
        var text = "{\"text\": \"a\"}\r\n\n   \n"
        for index in 0..<5_000 { text += "{\"text\": \"\(index)\"}\n" }
        text += "{\"text\": \"last\"}"
        try TestFiles.write(Array(text.utf8), to: path)
        var lines = try JSONLines(path: path)
        var all: [(line: Int, bytes: [UInt8])] = []
        while true {
            let batch = try lines.nextBatch(count: 1_000)
            if batch.isEmpty { break }
            #expect(batch.count <= 1_000)
            all += batch
        }
        #expect(all.count == 5_002)
        #expect(all.first.map { String(decoding: $0.bytes, as: UTF8.self) } == #"{"text": "a"}"#)
        #expect(all[1].line == 4)
        #expect(all.last?.line == 5_004)
        #expect(all.last.map { String(decoding: $0.bytes, as: UTF8.self) } == #"{"text": "last"}"#)
    }
}
