import Base
import TestSupport
import Testing

@testable import Tokenize

/// Data records of Fixtures/tokenize/records.jsonl encoded as the
/// reference did (tools/make_tokenize_references.py): chats rendered with
/// the model's own template by transformers, encoded by the `tokenizers`
/// library, and loss masks over assistant content and completions.
@Suite struct RecordReferenceTests {
    @Test(.enabled(if: RealModel.smolLM2.isPresent, "SmolLM2 GGUF missing: run tools/fetch-models.sh smollm2"))
    func smolLM2RecordsEqualReference() throws { try compare(.smolLM2, name: "smollm2") }

    @Test(.enabled(if: RealModel.qwen2.isPresent, "Qwen GGUF missing: run tools/fetch-models.sh qwen2"))
    func qwen2RecordsEqualReference() throws { try compare(.qwen2, name: "qwen2") }

    private func compare(_ model: RealModel, name: String) throws {
        let files = try ReferenceFiles.realTokenizerFiles(model, name: name)
        let tokenizer = try Tokenizer(json: try #require(files["tokenizer.json"]), file: "tokenizer.json")
        let config = try TokenizerConfig(
            json: try #require(files["tokenizer_config.json"]), file: "tokenizer_config.json")
        let source = String(decoding: try #require(files["chat_template.jinja"]), as: UTF8.self)
        let encoder = RecordEncoder(
            tokenizer: tokenizer, config: config,
            chatTemplate: try ChatTemplate(source: source, origin: "chat_template.jinja"),
            origin: name)
        let path = TestFiles.fixture("tokenize/records.jsonl")
        let lines = try TestFiles.read(path).split(separator: 0x0A)
        let references = try ReferenceFiles.lines(TestFiles.fixture("tokenize/records-\(name).jsonl"))
        #expect(lines.count == references.count)
        for (index, (line, reference)) in zip(lines, references).enumerated() {
            let record = try Array(line).withUnsafeBytes { try DataRecord(json: $0, file: path, line: index + 1) }
            let encoded = try encoder.encode(record)
            let wantIDs = try reference["ids"].ids
            let wantTokens = try reference["tokens"].strings
            let wantOffsets = try reference["offsets"].ranges
            #expect(
                encoded.encoding.ids == wantIDs,
                "\(name) line \(index + 1) \(encoded.encoding.tokens) want \(wantTokens)")
            #expect(encoded.encoding.offsets == wantOffsets, "\(name) line \(index + 1) offsets")
            let wantMask =
                reference["loss_mask"].isNull ? nil : try reference["loss_mask"].array.map { try $0.integer == 1 }
            #expect(encoded.lossMask == wantMask, "\(name) line \(index + 1) loss mask")
            if !reference["rendered"].isNull {
                let wantRendered = try reference["rendered"].string
                #expect(encoded.text == wantRendered, "\(name) line \(index + 1) rendering")
            }
        }
    }
}
