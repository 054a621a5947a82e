import Base
import Testing
import TestSupport

/// What tools/make_tokenizer_references.py recorded of transformers'
/// tokenizer files for one real model (Fixtures/gguf/tokenizer/models.json).
/// JSON values are compared in a canonical compact form (members in the
/// order written), so "equal" means equal content, not equal layout.
struct TokenizerReference {
    let tokenizerDigest: String
    let tokenizerByteCount: Int
    let chatTemplateDigest: String?
    /// tokenizer_config.json, canonical.
    let config: [UInt8]
    private let fields: [String: [UInt8]]

    static func load(_ modelFile: String) throws -> TokenizerReference {
        let root = try JSONScanner.parse(try TestFiles.read(TestFiles.fixture("gguf/tokenizer/models.json")))
        let entry = try #require(member(root, modelFile), "models.json has no \(modelFile)")
        let tokenizer = try #require(member(entry, "tokenizer.json"))
        var fields: [String: [UInt8]] = [:]
        if case .object(let members) = entry.value {
            for (key, node) in members { fields[key] = canonical(node) }
        }
        var templateDigest: String?
        if let template = member(entry, "chat_template.jinja"),
            case .string(let digest)? = member(template, "xxh3")?.value
        {
            templateDigest = digest
        }
        guard case .string(let digest)? = member(tokenizer, "xxh3")?.value,
            case .unsignedInteger(let byteCount)? = member(tokenizer, "bytes")?.value,
            let config = fields["tokenizer_config"]
        else { throw TokenizerReferenceError("\(modelFile) lacks its tokenizer.json digest or config") }
        return TokenizerReference(
            tokenizerDigest: digest, tokenizerByteCount: Int(byteCount), chatTemplateDigest: templateDigest,
            config: config, fields: fields)
    }

    /// Checks the sizes, the first and last merges and added tokens, the
    /// model's options and the four pipeline sections of `tokenizerJSON`.
    func checkKeyFields(of tokenizerJSON: [UInt8]) throws {
        let root = try JSONScanner.parse(tokenizerJSON, keyEquality: .exact)
        let model = try #require(Self.member(root, "model"))
        guard case .object(let options) = model.value,
            case .object(let vocabulary)? = Self.member(model, "vocab")?.value,
            case .array(let merges)? = Self.member(model, "merges")?.value,
            case .array(let added)? = Self.member(root, "added_tokens")?.value
        else { throw TokenizerReferenceError("Smelt's tokenizer.json lacks a BPE model or added_tokens") }
        let plainOptions = options.filter { $0.key != "vocab" && $0.key != "merges" }
        #expect(Self.canonical(.object(plainOptions)) == fields["model"])
        #expect(Array(String(vocabulary.count).utf8) == fields["vocab_count"])
        #expect(Array(String(merges.count).utf8) == fields["merges_count"])
        #expect(Self.canonical(.array(Array(merges.prefix(3)))) == fields["first_merges"])
        #expect(Self.canonical(.array(Array(merges.suffix(3)))) == fields["last_merges"])
        #expect(Array(String(added.count).utf8) == fields["added_tokens_count"])
        #expect(Self.canonical(.array(Array(added.prefix(2)))) == fields["first_added_tokens"])
        #expect(Self.canonical(.array(Array(added.suffix(2)))) == fields["last_added_tokens"])
        for section in ["normalizer", "pre_tokenizer", "post_processor", "decoder"] {
            #expect(Self.member(root, section).map(Self.canonical) == fields[section], "\(section)")
        }
    }

    static func member(_ node: JSONNode, _ key: String) -> JSONNode? {
        guard case .object(let members) = node.value else { return nil }
        return members.first { $0.key == key }?.node
    }

    /// Compact JSON of a parsed value, members in the order written, as
    /// bytes (Swift's String equality would call NFC and NFD text equal).
    static func canonical(_ node: JSONNode) -> [UInt8] { canonical(node.value) }

    static func canonical(_ value: JSONValue) -> [UInt8] { Array(output(value).rendered().utf8) }

    private static func output(_ value: JSONValue) -> JSONOutput {
        switch value {
        case .object(let members): .object(members.map { ($0.key, output($0.node.value)) })
        case .array(let elements): .array(elements.map { output($0.value) })
        case .string(let text): .string(text)
        case .unsignedInteger(let number): .unsigned(number)
        case .number(let text): .number(text)
        case .bool(let flag): .bool(flag)
        case .null: .null
        }
    }
}

struct TokenizerReferenceError: Error, CustomStringConvertible {
    let description: String
    init(_ problem: String) { description = "Fixtures/gguf/tokenizer/models.json: " + problem }
}
