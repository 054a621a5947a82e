import Base
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `smelt logits` and `smelt cache` as a user runs them: the cache holds
/// what `smelt score` computes, its bytes depend on nothing but teacher,
/// data and K, shards join into a single run's bytes, and a killed run
/// resumes to the same bytes.
@Suite struct LogitsCommandTests {
    static let model = CommandRunner.fixture("model/tiny-gemma3")
    static let cacheFiles = ["smelt-cache.json", "index.smsp", "records.smsp"]
    /// The tiny model has no chat template of its own.
    static let template = ["--chat-template", CommandRunner.fixture("tokenize/chat/templates/google-gemma-3-it.jinja")]

    /// Twenty records of the three kinds, with string and number ids.
    static var records: [String] {
        (0..<20).map { index in
            switch index % 3 {
            case 0:
                #"{"id": "text-\#(index)", "text": "Record \#(index): a small fox ran \#(index) times by the river."}"#
            case 1: #"{"id": \#(index), "prompt": "Count to \#(index): ", "completion": "one two three and so on"}"#
            default:
                #"{"messages": [{"role": "user", "content": "Hi \#(index)"}, {"role": "assistant", "content": "Hello there, \#(index)!"}]}"#
            }
        }
    }

    private func folder() throws -> String { try CommandRunner.temporaryFolder() }

    private func write(_ lines: [String], in folder: String) throws -> String {
        let path = folder + "/data.jsonl"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func logits(
        _ data: String, _ cache: String, _ options: [String] = [], environment: [String: String] = [:]
    )
        throws -> CommandResult
    {
        try CommandRunner.run(
            ["logits", Self.model, data, cache, "--quiet"] + Self.template + options, environment: environment)
    }

    private func files(_ cache: String) throws -> [Data] {
        try Self.cacheFiles.map { try Data(contentsOf: URL(fileURLWithPath: cache + "/" + $0)) }
    }

    @Test func dumpGivesWhatScoreComputesWithinTheQuantisationStep() throws {
        let work = try folder()
        let data = try write(Self.records, in: work)
        let made = try logits(data, work + "/cache", ["--top-k", "4"])
        try #require(made.status == 0, "\(made.standardError)")
        let dump = try CommandRunner.run(["cache", "dump", work + "/cache", "--json"])
        let score = try CommandRunner.run(["score", Self.model, data, "--json", "--top-k", "4"] + Self.template)
        let dumped = dump.standardOutput.split(separator: "\n").map(String.init)
        let scored = score.standardOutput.split(separator: "\n").dropLast().map(String.init)
        try #require(dumped.count == Self.records.count && scored.count == Self.records.count)
        for (cached, exact) in zip(dumped, scored) {
            let found = try CommandRunner.json(cached), expected = try CommandRunner.json(exact)
            for key in ["ids", "top_ids", "loss_mask", "n_tokens"] {
                #expect("\(found[key] ?? "none")" == "\(expected[key] ?? "none")", "\(key)")
            }
            #expect("\(found["id"] ?? "")" == "\(expected["id"] ?? "")")
            for key in ["gold_logprob", "logsumexp"] {
                let pairs = zip(found[key] as? [Double] ?? [], expected[key] as? [Double] ?? [])
                #expect(pairs.allSatisfy { abs($0 - $1) <= 1e-3 }, "\(key)")
            }
            let top = zip(found["top_logprobs"] as? [[Double]] ?? [], expected["top_logprobs"] as? [[Double]] ?? [])
            #expect(top.allSatisfy { zip($0, $1).allSatisfy { abs($0 - $1) <= 1e-3 } })
            #expect(abs((found["mean_nll"] as? Double ?? .nan) - (expected["mean_nll"] as? Double ?? 0)) <= 1e-3)
        }
        let one = try CommandRunner.run(["cache", "dump", work + "/cache", "--json", "--record", "text-3"])
        #expect(one.standardOutput.split(separator: "\n").count == 1)
        #expect(one.standardOutput == dumped[3] + "\n")
        let missing = try CommandRunner.run(["cache", "dump", work + "/cache", "--record", "nope"])
        #expect(missing.status == 65)
    }

    @Test func theSameBytesForAnyThreadsBudgetOrShardingAndJoin() throws {
        let work = try folder()
        let data = try write(Self.records, in: work)
        #expect(try logits(data, work + "/one", ["--threads", "1"]).status == 0)
        #expect(try logits(data, work + "/two", ["--threads", "2", "--memory-budget", "16M"]).status == 0)
        for shard in 0..<3 {
            let made = try logits(data, work + "/part\(shard)", ["--shard", "\(shard)/3", "--threads", "2"])
            #expect(made.status == 0, "\(made.standardError)")
        }
        let joined = try CommandRunner.run(["cache", "join", work + "/joined"] + (0..<3).map { work + "/part\($0)" })
        #expect(joined.status == 0, "\(joined.standardError)")
        let reference = try files(work + "/one")
        #expect(try files(work + "/two") == reference)
        #expect(try files(work + "/joined") == reference)
        let again = try logits(data, work + "/one")
        #expect(again.status == 0 && again.standardOutput.contains("already complete"))
    }

    @Test func joinRefusesMissingDuplicateAndForeignShards() throws {
        let work = try folder()
        let data = try write(Self.records, in: work)
        for shard in 0..<2 { #expect(try logits(data, work + "/part\(shard)", ["--shard", "\(shard)/2"]).status == 0) }
        #expect(try logits(data, work + "/otherK", ["--shard", "1/2", "--top-k", "3"]).status == 0)
        #expect(try logits(data, work + "/whole").status == 0)
        let cases: [([String], String)] = [
            (["part0"], "shard 1/2 missing"),
            (["part0", "part0", "part1"], "both shard 0/2"),
            (["part0", "otherK"], "--top-k was 10, now 3"),
            (["part0", "whole"], "a whole cache"),
        ]
        for (shards, message) in cases {
            let result = try CommandRunner.run(["cache", "join", work + "/joined"] + shards.map { work + "/" + $0 })
            #expect(result.status == 65, "\(shards)")
            #expect(result.standardError.contains(message), "\(shards): \(result.standardError)")
        }
    }

    @Test func killedRunsResumeToTheBytesOfAnUninterruptedOne() throws {
        let work = try folder()
        let data = try write(
            Self.records + Self.records.map { $0.replacingOccurrences(of: "fox", with: "cat") }, in: work)
        #expect(try logits(data, work + "/reference", ["--memory-budget", "16M"]).status == 0)
        var generator = SystemRandomNumberGenerator()
        let slow = ["SMELT_DELAY_AT": "logits.record:15"]
        var killed = 0
        for _ in 0..<10 {
            let running = try CommandRunner.start(
                ["logits", Self.model, data, work + "/cache", "--quiet", "--memory-budget", "16M"] + Self.template,
                environment: slow)
            usleep(UInt32.random(in: 50_000...400_000, using: &generator))
            if running.send(SIGKILL) { killed += 1 }
            _ = running.wait()
        }
        #expect(killed > 0)
        let finished = try logits(data, work + "/cache", ["--memory-budget", "16M"])
        #expect(finished.status == 0, "\(finished.standardError)")
        #expect(try files(work + "/cache") == files(work + "/reference"))
    }

    @Test func aResumeWithAnotherKOrDataIsRefusedNamingTheChange() throws {
        let work = try folder()
        let data = try write(Self.records + ["not json"], in: work)
        let failed = try logits(data, work + "/cache")
        #expect(failed.status == 65)
        #expect(failed.standardError.contains("data.jsonl:21"), "\(failed.standardError)")
        let otherK = try logits(data, work + "/cache", ["--top-k", "3"])
        #expect(otherK.status == 73)
        #expect(otherK.standardError.contains("--top-k was 10, now 3"), "\(otherK.standardError)")
        let otherShard = try logits(data, work + "/cache", ["--shard", "0/2"])
        #expect(otherShard.status == 73 && otherShard.standardError.contains("--shard was none, now 0/2"))
        let restarted = try logits(try write(Self.records, in: work), work + "/cache", ["--restart"])
        #expect(restarted.status == 0, "\(restarted.standardError)")
    }

    @Test func aTornLastBlockIsDroppedAndRedone() throws {
        let work = try folder()
        let data = try write(Self.records, in: work)
        #expect(try logits(data, work + "/reference", ["--memory-budget", "16M"]).status == 0)
        let staged = work + "/.cache.smelt-partial/records.smsp"
        let running = try CommandRunner.start(
            ["logits", Self.model, data, work + "/cache", "--quiet", "--memory-budget", "16M"] + Self.template,
            environment: ["SMELT_DELAY_AT": "logits.record:50"])
        var size: UInt64 = 0
        for _ in 0..<400 where size < 2_000 {
            usleep(20_000)
            size = (try? FileSystem.status(staged))?.size ?? 0
        }
        _ = running.send(SIGKILL)
        _ = running.wait()
        try #require(size >= 2_000, "no records were staged in time")
        // The last block loses its last 10 bytes, as a crash mid-write leaves it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: staged))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: staged))
        let resumed = try logits(data, work + "/cache", ["--memory-budget", "16M"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(try files(work + "/cache") == files(work + "/reference"))
    }

    @Test func verifyNamesTheDamagedFileAndOffset() throws {
        let work = try folder()
        let data = try write(Self.records, in: work)
        #expect(try logits(data, work + "/cache").status == 0)
        #expect(try CommandRunner.run(["cache", "verify", work + "/cache"]).status == 0)
        let inspected = try CommandRunner.run(["inspect", work + "/cache"])
        #expect(
            inspected.status == 0 && inspected.standardOutput.contains("records   20,"), "\(inspected.standardOutput)")
        let path = work + "/cache/records.smsp"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        let damaged = try CommandRunner.run(["verify", work + "/cache"])
        #expect(damaged.status == 1)
        #expect(damaged.standardOutput.contains("records.smsp"), "\(damaged.standardOutput)")
        #expect(damaged.standardOutput.contains("byte"), "\(damaged.standardOutput)")
        let dump = try CommandRunner.run(["cache", "dump", work + "/cache", "--json"])
        #expect(dump.status == 65, "\(dump.standardError)")
    }

    @Test func sampledTargetsAreDeterministicAndDrawnFromTheTeacher() throws {
        let work = try folder()
        let data = try write(Array(Self.records.prefix(6)), in: work)
        let sample = ["--sample", "12", "--temperature", "1"]
        #expect(try logits(data, work + "/one", sample + ["--threads", "1"]).status == 0)
        #expect(try logits(data, work + "/two", sample + ["--threads", "2", "--memory-budget", "16M"]).status == 0)
        for shard in 0..<2 {
            #expect(try logits(data, work + "/part\(shard)", sample + ["--shard", "\(shard)/2"]).status == 0)
        }
        #expect(try CommandRunner.run(["cache", "join", work + "/joined", work + "/part0", work + "/part1"]).status == 0)
        let reference = try files(work + "/one")
        #expect(try files(work + "/two") == reference)
        #expect(try files(work + "/joined") == reference)
        #expect(try logits(data, work + "/seed", sample + ["--seed", "7"]).status == 0)
        #expect(try files(work + "/seed") != reference)
        let refused = try logits(data, work + "/one", ["--sample", "5"])
        #expect(refused.status == 73 && refused.standardError.contains("another cache"), "\(refused.standardError)")

        // Frequencies of 4,000 draws against the teacher's probabilities (top-K cache).
        #expect(try logits(data, work + "/many", ["--sample", "4000"]).status == 0)
        #expect(try logits(data, work + "/top", ["--top-k", "3"]).status == 0)
        let drawn = try CommandRunner.json(
            try CommandRunner.run(["cache", "dump", work + "/many", "--json"]).standardOutput.split(separator: "\n")[0]
                .description)
        let top = try CommandRunner.json(
            try CommandRunner.run(["cache", "dump", work + "/top", "--json"]).standardOutput.split(separator: "\n")[0]
                .description)
        let ids = drawn["sample_ids"] as? [[Int]] ?? [], counts = drawn["sample_counts"] as? [[Int]] ?? []
        let logProbabilities = drawn["sample_logprobs"] as? [[Double]] ?? []
        let topIDs = top["top_ids"] as? [[Int]] ?? [], topLogProbabilities = top["top_logprobs"] as? [[Double]] ?? []
        try #require(ids.count == topIDs.count && !ids.isEmpty)
        for position in ids.indices {
            #expect(counts[position].reduce(0, +) == 4000)
            for (rank, id) in topIDs[position].enumerated() {
                let p = exp(topLogProbabilities[position][rank])
                let index = ids[position].firstIndex(of: id)
                let frequency = Double(index.map { counts[position][$0] } ?? 0) / 4000
                let deviation = (p * (1 - p) / 4000).squareRoot()
                #expect(abs(frequency - p) <= 5 * deviation + 1e-9, "position \(position) id \(id): \(frequency) vs \(p)")
                if let index { #expect(abs(logProbabilities[position][index] - log(p)) <= 2e-3) }
            }
        }
    }

    static let badOptions: [[String]] = [
        ["--shard", "2/2"], ["--shard", "1"], ["--shard", "-1/3"], ["--shard", "a/b"], ["--top-k", "-1"],
        ["--temperature", "2"], ["--seed", "3"], ["--sample", "0"], ["--sample", "4", "--temperature", "0"],
    ]

    @Test(arguments: badOptions)
    func refusesBadOptionsAsUsageErrors(options: [String]) throws {
        let work = try folder()
        let result = try logits(try write(Self.records, in: work), work + "/cache", options)
        #expect(result.status == 64, "\(options): \(result.standardError)")
        #expect(try FileSystem.status(work + "/cache") == nil)
    }
}
