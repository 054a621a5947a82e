import Base
import TestSupport
import Testing

@testable import Tokenize

/// Smelt's tokenizer against the `tokenizers` library on the reference
/// corpus (Fixtures/tokenize): ids, tokens, offsets and decoded text, with
/// and without special tokens, and pairs, for every text.
@Suite struct TokenizerReferenceTests {
    @Test(arguments: ["minilm", "unigram", "wordpiece", "bytebpe", "fallback"])
    func committedTokenizerEqualsLibrary(name: String) throws {
        try compare(try ReferenceFiles.committedTokenizer(name), name: name)
    }

    @Test(.enabled(if: RealModel.smolLM2.isPresent, "SmolLM2 GGUF missing: run tools/fetch-models.sh smollm2"))
    func smolLM2EqualsLibrary() throws {
        try compare(try ReferenceFiles.realTokenizer(.smolLM2, name: "smollm2"), name: "smollm2")
    }

    @Test(.enabled(if: RealModel.qwen2.isPresent, "Qwen GGUF missing: run tools/fetch-models.sh qwen2"))
    func qwen2EqualsLibrary() throws {
        try compare(try ReferenceFiles.realTokenizer(.qwen2, name: "qwen2"), name: "qwen2")
    }

    @Test(.enabled(if: RealModel.gemma3.isPresent, "Gemma GGUF missing: run tools/fetch-models.sh gemma3"))
    func gemma3EqualsLibrary() throws {
        try compare(try ReferenceFiles.realTokenizer(.gemma3, name: "gemma3"), name: "gemma3")
    }

    private func compare(_ tokenizer: Tokenizer, name: String) throws {
        let texts = try ReferenceFiles.corpus()
        let references = try ReferenceFiles.lines(ReferenceFiles.folder(name) + "/encodings.jsonl")
        #expect(references.count == texts.count)
        var failures = 0
        for reference in references where failures < 5 {
            let index = try reference["index"].integer
            let text = texts[index]
            for (key, addSpecialTokens) in [("special", true), ("plain", false)] {
                let expected = reference[key]
                let encoding = tokenizer.encode(text, addSpecialTokens: addSpecialTokens)
                let wantTokens = try expected["tokens"].strings
                let wantOffsets = try expected["offsets"].ranges
                let same =
                    try encoding.ids == expected["ids"].ids && encoding.tokens == wantTokens
                    && encoding.offsets == wantOffsets
                if !same { failures += 1 }
                #expect(
                    same,
                    """
                    \(name) text \(index) \(key) \(text.debugDescription.prefix(120))
                     got \(encoding.tokens.prefix(40)) \(encoding.offsets.prefix(40))
                    want \(wantTokens.prefix(40)) \(wantOffsets.prefix(40))
                    """)
            }
            let ids = try reference["special"]["ids"].ids
            let decoded = tokenizer.decode(ids)
            let decodedSkipping = tokenizer.decode(ids, skipSpecialTokens: true)
            let wantDecoded = try reference["decoded"].string
            let wantDecodedSkipping = try reference["decoded_skip"].string
            #expect(decoded == wantDecoded, "\(name) text \(index) decoded \(decoded.debugDescription)")
            #expect(
                decodedSkipping == wantDecodedSkipping,
                "\(name) text \(index) decoded skipping special \(decodedSkipping.debugDescription)")
        }
        for reference in try ReferenceFiles.lines(ReferenceFiles.folder(name) + "/pairs.jsonl") {
            let first = texts[try reference["first"].integer]
            let second = texts[try reference["second"].integer]
            for (key, addSpecialTokens) in [("special", true), ("plain", false)] {
                let expected = reference[key]
                let encoding = tokenizer.encode(first, pair: second, addSpecialTokens: addSpecialTokens)
                let wantIDs = try expected["ids"].ids
                let wantOffsets = try expected["offsets"].ranges
                let wantTypeIDs = try expected["type_ids"].array.map { try $0.integer }
                #expect(encoding.ids == wantIDs, "\(name) pair \(key) ids \(encoding.tokens)")
                #expect(encoding.offsets == wantOffsets, "\(name) pair \(key) offsets")
                #expect(encoding.typeIDs.map(Int.init) == wantTypeIDs, "\(name) pair \(key) type ids")
            }
            let decoded = tokenizer.decode(try reference["special"]["ids"].ids)
            let wantDecoded = try reference["decoded"].string
            #expect(decoded == wantDecoded, "\(name) pair decoded \(decoded.debugDescription)")
        }
    }
}
