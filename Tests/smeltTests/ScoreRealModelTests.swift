import Base
import Foundation
import TestSupport
import Testing

/// `smelt score` straight from the real GGUF files (dequantized as read):
/// an ordinary English sentence gets a mean NLL of a few nats. Exactness
/// against transformers is checked on the tiny models (ModelTests); a
/// missing model skips its test naming the file and the fetch command.
@Suite struct ScoreRealModelTests {
    static let sentence =
        #"{"text": "The capital of France is Paris. It is known for the Eiffel Tower and its museums."}"#

    @Test(arguments: RealModel.allCases)
    func scoresAnEnglishSentenceSanely(model: RealModel) throws {
        guard model.isPresent else {
            print("skipped: \(model.rawValue) missing from $SMELT_CACHE/models: run tools/fetch-models.sh")
            return
        }
        let path = try CommandRunner.temporaryFolder() + "/sentence.jsonl"
        try Data((Self.sentence + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let result = try CommandRunner.run([
            "score", model.path, path, "--json", "--threads", "2", "--memory-budget", "256M",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let line = result.standardOutput.split(separator: "\n").first.map(String.init) ?? ""
        let mean = try CommandRunner.json(line)["mean_nll"] as? Double ?? .nan
        #expect(mean > 0.5 && mean < 6, "\(model.rawValue): mean NLL \(mean)")
    }
}
