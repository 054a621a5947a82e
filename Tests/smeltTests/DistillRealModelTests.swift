import Base
import Foundation
import TestSupport
import Testing

/// `smelt distill` with the real SmolLM2 GGUF as its student: the weights
/// are dequantized as they are read, OUT gets the config and tokenizer
/// files `smelt convert` would write, verifies, and scores lower than the
/// GGUF on the records it trained on. A missing model skips the test
/// naming the file and the fetch command.
@Suite struct DistillRealModelTests {
    static let records = [
        #"{"messages": [{"role": "user", "content": "What is 7 times 8?"}, "#
            + #"{"role": "assistant", "content": "7 times 8 is 56. #### 56"}]}"#,
        #"{"messages": [{"role": "user", "content": "Add 15 and 27."}, "#
            + #"{"role": "assistant", "content": "15 + 27 = 42. #### 42"}]}"#,
    ]

    @Test(
        .enabled(
            if: RealModel.smolLM2.isPresent,
            "SmolLM2-135M-Instruct.Q4_1.gguf missing from $SMELT_CACHE/models: run tools/fetch-models.sh smollm2"
        ))
    func aGGUFStudentTrainsIntoAModelFolder() throws {
        let work = try CommandRunner.temporaryFolder()
        let data = try FuseCommandTests.write(Self.records, to: work + "/data.jsonl")
        let student = RealModel.smolLM2.path
        let trained = try CommandRunner.run([
            "distill", student, data, work + "/out", "--lora-rank", "4", "--lr", "1e-3", "--steps", "3",
            "--threads", "2", "--quiet",
        ])
        try #require(trained.status == 0, "\(trained.standardError)")
        for file in ["config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors", "train-log.csv"] {
            #expect(try FileSystem.status(work + "/out/" + file)?.isRegularFile == true, "\(file) missing")
        }
        #expect(try CommandRunner.run(["verify", work + "/out"]).status == 0)
        func meanNLL(_ model: String) throws -> Double {
            let scored = try CommandRunner.run(["score", model, data, "--json", "--threads", "2"])
            let summary = scored.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
            return (try CommandRunner.json(summary)["summary"] as? [String: Any])?["mean_nll"] as? Double ?? .nan
        }
        let before = try meanNLL(student)
        let after = try meanNLL(work + "/out")
        #expect(after < before - 0.05, "mean NLL \(before) -> \(after)")
    }
}
