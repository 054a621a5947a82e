import Base
import Foundation
import TestSupport
import Testing

/// `smelt score` on the three real models against transformers' Float32
/// eager forward pass (Fixtures/model/real, tools/make_model_references.py).
/// The references score the bf16 folder transformers makes from each GGUF,
/// so the test first runs `smelt convert` (which writes those bytes) and
/// scores its output. A missing model skips its test naming the file and
/// the fetch command.
@Suite struct ScoreRealModelTests {
    static let sentence =
        #"{"text": "The capital of France is Paris. It is known for the Eiffel Tower and its museums."}"#

    /// The reference folder of each model and the options its records need.
    static func references(_ model: RealModel) -> (key: String, options: [String]) {
        switch model {
        case .smolLM2: ("smollm2", [])
        case .qwen2: ("qwen2", [])
        case .gemma3:
            // Gemma's GGUF has no chat template; the references render chats with Google's.
            ("gemma3", ["--chat-template", CommandRunner.fixture("tokenize/chat/templates/google-gemma-3-it.jinja")])
        }
    }

    @Test(arguments: RealModel.allCases)
    func scoresAnEnglishSentenceSanelyStraightFromTheGGUF(model: RealModel) throws {
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

    /// Every position of six records (English, multilingual, GSM text,
    /// prompt/completion, chat, and one of 757 to 767 tokens, past Gemma's
    /// 512-token window): the same token ids and loss masks, gold log-probs
    /// and log-sum-exps within 1e-3, and the same top-1 id wherever the
    /// reference's top-2 gap is at least 1e-3. Scored at a 256M budget.
    @Test(arguments: RealModel.allCases)
    func matchesTransformersAtEveryPosition(model: RealModel) throws {
        guard model.isPresent else {
            print("skipped: \(model.rawValue) missing from $SMELT_CACHE/models: run tools/fetch-models.sh")
            return
        }
        let (key, options) = Self.references(model)
        let folder = try CommandRunner.temporaryFolder() + "/converted"
        let converted = try CommandRunner.run(["convert", model.path, folder, "--quiet"])
        try #require(converted.status == 0, "\(converted.standardError)")
        let result = try CommandRunner.run(
            [
                "score", folder, CommandRunner.fixture("model/real/records.jsonl"), "--json", "--top-k", "5",
                "--threads", "2", "--memory-budget", "256M",
            ] + options)
        try #require(result.status == 0, "\(result.standardError)")
        let found = result.standardOutput.split(separator: "\n").dropLast().map(String.init)
        let expected = try String(
            contentsOfFile: CommandRunner.fixture("model/real/\(key)/scores.jsonl"), encoding: .utf8
        )
        .split(separator: "\n").map(String.init)
        try #require(found.count == expected.count, "\(key): \(found.count) records scored, \(expected.count) expected")
        for (foundLine, expectedLine) in zip(found, expected) {
            let run = try CommandRunner.json(foundLine)
            let reference = try CommandRunner.json(expectedLine)
            let record = "\(key) \(reference["id"] as? String ?? "?")"
            #expect(run["ids"] as? [Int] == reference["ids"] as? [Int], "\(record): token ids")
            #expect(run["loss_mask"] as? [Bool] == reference["loss_mask"] as? [Bool], "\(record): loss mask")
            let gold = Self.largestDifference(run["gold_logprob"], reference["gold_logprob"])
            let logSumExp = Self.largestDifference(run["logsumexp"], reference["logsumexp"])
            #expect(gold <= 1e-3, "\(record): max |Δ gold log-prob| \(gold)")
            #expect(logSumExp <= 1e-3, "\(record): max |Δ logsumexp| \(logSumExp)")
            let foundTop = (run["top_ids"] as? [[Int]] ?? []).map { $0.first ?? -1 }
            let expectedTop = (reference["top_ids"] as? [[Int]] ?? []).map { $0.first ?? -1 }
            let gaps = reference["top2_gap"] as? [Double] ?? []
            try #require(foundTop.count == expectedTop.count && gaps.count == expectedTop.count, "\(record): positions")
            let mismatches = gaps.indices.filter { gaps[$0] >= 1e-3 && foundTop[$0] != expectedTop[$0] }
            #expect(mismatches.isEmpty, "\(record): top-1 differs at positions \(mismatches)")
            print("\(record): max |Δ gold| \(gold), max |Δ logsumexp| \(logSumExp)")
        }
    }

    /// The largest absolute difference of two equally long number arrays
    /// (infinity when either is missing or their lengths differ).
    static func largestDifference(_ found: Any?, _ expected: Any?) -> Double {
        guard let found = found as? [Double], let expected = expected as? [Double], found.count == expected.count,
            !found.isEmpty
        else { return .infinity }
        return zip(found, expected).map { abs($0 - $1) }.max() ?? .infinity
    }
}
