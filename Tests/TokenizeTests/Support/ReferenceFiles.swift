import Base
import Checkpoint
import TestSupport
import Testing

@testable import Tokenize

/// The reference encodings under Fixtures/tokenize (made by
/// tools/make_tokenize_references.py with the `tokenizers` library) and the
/// tokenizers they were made with.
enum ReferenceFiles {
    static func folder(_ name: String) -> String { TestFiles.fixture("tokenize/\(name)") }

    /// The JSON values of a JSONL file, one per line.
    static func lines(_ path: String) throws -> [JSONValue] {
        let bytes = try TestFiles.read(path)
        return try bytes.split(separator: 0x0A).map { try JSONScanner.parse(Array($0), keyEquality: .exact).value }
    }

    /// The corpus texts, by index.
    static func corpus() throws -> [String] {
        try lines(TestFiles.fixture("tokenize/corpus.jsonl")).map { try $0["text"].string }
    }

    /// A committed tokenizer.json.
    static func committedTokenizer(_ name: String) throws -> Tokenizer {
        try Tokenizer(contentsOfFile: folder(name) + "/tokenizer.json")
    }

    /// The tokenizer.json of a real model, built from its GGUF by the
    /// Checkpoint layer, checked to be the very file the references used.
    static func realTokenizerFiles(_ model: RealModel, name: String) throws -> [String: [UInt8]] {
        let file = try GGUFFile(path: model.path)
        var files: [String: [UInt8]] = [:]
        for (fileName, bytes) in try GGUFTokenizerFiles.files(from: file.header.metadata) { files[fileName] = bytes }
        let tokenizerJSON = try #require(files["tokenizer.json"])
        let source = try JSONScanner.parse(TestFiles.read(folder(name) + "/source.json")).value
        var digest = SHA256()
        tokenizerJSON.withUnsafeBytes { digest.update($0) }
        let wanted = try source["tokenizer_json_sha256"].string
        try #require(digest.finalizeHex() == wanted, "not the tokenizer.json the references used")
        return files
    }

    static func realTokenizer(_ model: RealModel, name: String) throws -> Tokenizer {
        let files = try realTokenizerFiles(model, name: name)
        return try Tokenizer(json: try #require(files["tokenizer.json"]), file: "\(name)/tokenizer.json")
    }
}

/// Reading fixture JSON in tests: a wrong shape fails the test.
extension JSONValue {
    struct ShapeError: Error, CustomStringConvertible {
        let description: String
    }

    subscript(key: String) -> JSONValue {
        guard case .object(let members) = self, let member = members.first(where: { $0.key == key }) else {
            return .null
        }
        return member.node.value
    }

    var string: String {
        get throws {
            guard case .string(let text) = self else {
                throw ShapeError(description: "expected a string, found \(kindDescription)")
            }
            return text
        }
    }

    var integer: Int {
        get throws {
            guard case .unsignedInteger(let number) = self else {
                throw ShapeError(description: "expected an integer, found \(kindDescription)")
            }
            return Int(number)
        }
    }

    var array: [JSONValue] {
        get throws {
            guard case .array(let nodes) = self else {
                throw ShapeError(description: "expected an array, found \(kindDescription)")
            }
            return nodes.map(\.value)
        }
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    var ids: [Int32] { get throws { try array.map { Int32(try $0.integer) } } }
    var strings: [String] { get throws { try array.map { try $0.string } } }
    var ranges: [Range<Int>] {
        get throws {
            try array.map {
                let pair = try $0.array; return try pair[0].integer..<pair[1].integer
            }
        }
    }
}
