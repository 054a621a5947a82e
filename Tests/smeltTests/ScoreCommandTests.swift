import Base
import Foundation
import TestSupport
import Testing

/// `smelt score` as a user runs it: JSON lines and text, the same bytes for
/// any threads, budget or batch neighbours, and its refusals.
@Suite struct ScoreCommandTests {
    static let gemma = CommandRunner.fixture("model/tiny-gemma3")
    static let llama = CommandRunner.fixture("model/tiny-llama")
    static let records = [
        #"{"id": "long", "text": "Once upon a time a small fox lived by the river, and every morning it ran along the bank to look for fish, birds and anything else that moved in the reeds."}"#,
        #"{"id": 2, "text": "Hello world, this is a test."}"#,
        #"{"id": 7, "prompt": "Say hi: ", "completion": "hi there"}"#,
    ]

    private func write(_ lines: [String]) throws -> String {
        let path = try CommandRunner.temporaryFolder() + "/data.jsonl"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func score(_ model: String, _ data: String, _ options: [String] = []) throws -> CommandResult {
        try CommandRunner.run(["score", model, data, "--json"] + options)
    }

    @Test func printsOneLinePerRecordAndASummary() throws {
        let result = try score(Self.gemma, try write(Self.records), ["--top-k", "3"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let first = try CommandRunner.json(lines[0])
        let count = first["n_tokens"] as? Int ?? 0
        #expect(first["id"] as? String == "long")
        #expect((first["ids"] as? [Int])?.count == count)
        #expect((first["gold_logprob"] as? [Double])?.count == count - 1)
        #expect((first["logsumexp"] as? [Double])?.count == count)
        #expect((first["top_ids"] as? [[Int]])?.allSatisfy { $0.count == 3 } == true)
        #expect((first["loss_mask"] as? [Bool])?.allSatisfy { $0 } == true)
        let completion = try CommandRunner.json(lines[2])
        #expect((completion["loss_mask"] as? [Bool])?.contains(false) == true)
        let summary = try CommandRunner.json(lines[3])["summary"] as? [String: Any]
        #expect(summary?["records"] as? Int == 3)
        #expect((summary?["mean_nll"] as? Double ?? 0) > 0)
    }

    @Test func givesTheSameBytesForAnyThreadsBudgetOrNeighbours() throws {
        let data = try write(Self.records)
        let reference = try score(Self.gemma, data, ["--threads", "1"])
        #expect(reference.status == 0, "\(reference.standardError)")
        let twoThreads = try score(Self.gemma, data, ["--threads", "2"])
        #expect(twoThreads.standardOutput == reference.standardOutput)
        // 16M leaves room for a few hundred tokens per forward batch: the records go one at a time.
        let smallBudget = try score(Self.gemma, data, ["--threads", "2", "--memory-budget", "16M"])
        #expect(smallBudget.status == 0, "\(smallBudget.standardError)")
        #expect(smallBudget.standardOutput == reference.standardOutput)
        let referenceLines = reference.standardOutput.split(separator: "\n")
        for (index, record) in Self.records.enumerated() {
            let alone = try score(Self.gemma, try write([record]), ["--threads", "2"])
            #expect(alone.standardOutput.split(separator: "\n").first == referenceLines[index])
        }
    }

    @Test func printsTextWithoutJSON() throws {
        let result = try CommandRunner.run(["score", Self.llama, try write(Self.records)])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("record \"long\" (line 1):"))
        #expect(result.standardOutput.contains("3 records,"))
    }

    @Test func refusesAModelFolderWithoutConfig() throws {
        let folder = try CommandRunner.temporaryFolder()
        try FileManager.default.copyItem(atPath: Self.llama + "/tokenizer.json", toPath: folder + "/tokenizer.json")
        let result = try score(folder, try write(Self.records))
        #expect(result.status == 66)
        #expect(result.standardError.contains("has no config.json"))
    }

    @Test func refusesAModelFolderWithoutTokenizer() throws {
        let folder = try CommandRunner.temporaryFolder()
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(atPath: Self.llama + "/" + name, toPath: folder + "/" + name)
        }
        let result = try score(folder, try write(Self.records))
        #expect(result.status == 66)
        #expect(result.standardError.contains("has no tokenizer.json"))
    }

    @Test func refusesAConfigThatDoesNotMatchTheWeights() throws {
        let folder = try CommandRunner.temporaryFolder()
        for name in ["model.safetensors", "tokenizer.json"] {
            try FileManager.default.copyItem(atPath: Self.llama + "/" + name, toPath: folder + "/" + name)
        }
        let config = try String(contentsOfFile: Self.llama + "/config.json", encoding: .utf8)
            .replacingOccurrences(of: "\"intermediate_size\": 96", with: "\"intermediate_size\": 128")
        try Data(config.utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        let result = try score(folder, try write(Self.records))
        #expect(result.status == 65)
        #expect(result.standardError.contains("has shape [96, 64], but config.json implies [128, 64]"))
    }

    @Test(arguments: [
        (#"{"text": "fine"}"# + "\nnot json", ":2: not JSON"),
        (#"{"text": ""}"#, "so no next token to score"),
    ])
    func refusesBadRecordsNamingTheLine(data: String, message: String) throws {
        let result = try score(Self.llama, try write([data]))
        #expect(result.status == 65)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test func refusesRecordsLongerThanMaxTokens() throws {
        let result = try score(Self.llama, try write(Self.records), ["--max-tokens", "10"])
        #expect(result.status == 65)
        #expect(result.standardError.contains("record \"long\""))
        #expect(result.standardError.contains("more than the limit of 10"))
    }

    @Test func refusesAnUnknownArchitectureNamingTheField() throws {
        let folder = try CommandRunner.temporaryFolder()
        for name in ["model.safetensors", "tokenizer.json"] {
            try FileManager.default.copyItem(atPath: Self.llama + "/" + name, toPath: folder + "/" + name)
        }
        let config = try String(contentsOfFile: Self.llama + "/config.json", encoding: .utf8)
            .replacingOccurrences(of: "\"model_type\": \"llama\"", with: "\"model_type\": \"mamba\"")
        try Data(config.utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        let result = try score(folder, try write(Self.records))
        #expect(result.status == 65)
        #expect(result.standardError.contains("\"model_type\" is \"mamba\""))
    }
}
