import Base
import Checkpoint
import Testing
import TestSupport

/// Small GGUFs written by tools/make_tokenizer_references.py, each with the
/// files transformers' own conversion wrote for it: Smelt's files must be
/// the same bytes.
@Suite struct GGUFTokenizerReferenceTests {
    static let cases = [
        "gpt2-smollm", "gpt2-qwen2", "gpt2-llama3", "gpt2-no-endoftext", "gpt2-qwen2-user-pad", "llama-spm",
        "llama-spm-merges", "gemma3-spm", "gemma3-named", "phi3-spm", "gpt2-repeated-merge",
    ]

    @Test(arguments: cases)
    func writesTheFilesTransformersWrites(_ name: String) throws {
        let folder = TestFiles.fixture("gguf/tokenizer/synthetic/")
        let file = try GGUFFile(path: folder + name + ".gguf")
        let files = try GGUFTokenizerFiles.files(from: file.header.metadata)
        let expectedNames = ["tokenizer.json", "tokenizer_config.json", "chat_template.jinja"].filter { fileName in
            (try? FileSystem.status(folder + name + "/" + fileName)) ?? nil != nil
        }
        #expect(files.map(\.name) == expectedNames)
        for (fileName, bytes) in files {
            let expected = try TestFiles.read(folder + name + "/" + fileName)
            let isSame = bytes == expected
            #expect(isSame, "\(name)/\(fileName) differs at \(firstDifference(bytes, expected))")
        }
    }
}

/// The lines around the first byte where two texts differ.
func firstDifference(_ actual: [UInt8], _ expected: [UInt8]) -> String {
    let index =
        (0..<min(actual.count, expected.count)).first { actual[$0] != expected[$0] }
        ?? min(actual.count, expected.count)
    func around(_ bytes: [UInt8]) -> String {
        let start = bytes[..<index].lastIndex(of: 0x0A).map { max(0, ($0 as Int) - 80) } ?? 0
        return String(decoding: bytes[start..<min(bytes.count, index + 120)], as: UTF8.self)
    }
    return
        "byte \(index) of \(actual.count) (expected \(expected.count)):\n--- Smelt\n\(around(actual))\n--- expected\n"
        + around(expected)
}
