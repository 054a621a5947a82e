import Base
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `smelt distill` as a user runs it on the tiny fixtures: SFT lowers the
/// loss and writes a folder `smelt score` and `smelt verify` read, a
/// teacher cache fills the fusion column, the weights depend on nothing
/// but the inputs and options, a killed run resumes to the same bytes, and
/// bad inputs are refused.
@Suite struct DistillCommandTests {
    static let student = CommandRunner.fixture("model/tiny-llama")
    /// Same tokenizer as tiny-llama: its cache is in the student's tokens.
    static let teacher = CommandRunner.fixture("model/tiny-gemma3")
    static let template = CommandRunner.fixture("tokenize/chat/templates/smollm2.jinja")

    static let records: [String] = (0..<12).map { index in
        switch index % 3 {
        case 0: #"{"id": "text-\#(index)", "text": "Record \#(index): a small fox ran \#(index) times by the river."}"#
        case 1: #"{"id": \#(index), "prompt": "Count to \#(index): ", "completion": "one two three and so on"}"#
        default:
            #"{"messages": [{"role": "user", "content": "Hi \#(index)"}, "#
                + #"{"role": "assistant", "content": "Hello there, \#(index)!"}]}"#
        }
    }

    struct Material: Sendable {
        let data: String
        let cache: String
    }

    /// The data and tiny-gemma3's cache over it, made once per test process.
    static let material = Result { () throws -> Material in
        let work = try CommandRunner.temporaryFolder()
        let data = try FuseCommandTests.write(records, to: work + "/data.jsonl")
        let cache = work + "/teacher.cache"
        let made = try CommandRunner.run(["logits", teacher, data, cache, "--chat-template", template, "--quiet"])
        guard made.status == 0 else { throw FuseCommandTests.SetupFailure(description: made.standardError) }
        return Material(data: data, cache: cache)
    }

    static let training = ["--steps", "6", "--batch-tokens", "64", "--lr", "1e-3", "--quiet"]

    func distill(
        _ output: String, _ options: [String], student: String = student, data: String? = nil,
        environment: [String: String] = [:]
    ) throws -> CommandResult {
        let material = try Self.material.get()
        return try CommandRunner.run(
            ["distill", student, data ?? material.data, output, "--chat-template", Self.template] + options,
            environment: environment)
    }

    func meanNLL(_ model: String) throws -> Double {
        let material = try Self.material.get()
        let score = try CommandRunner.run(["score", model, material.data, "--chat-template", Self.template, "--json"])
        try #require(score.status == 0, "\(score.standardError)")
        let last = score.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        let summary = try #require(try CommandRunner.json(last)["summary"] as? [String: Any])
        return try #require(summary["mean_nll"] as? Double)
    }

    func logRows(_ output: String) throws -> [[Substring]] {
        let text = String(decoding: try TestFiles.read(output + "/train-log.csv"), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "step,loss,ce,fusion,lr,grad_norm,tokens_per_second")
        return lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    }

    @Test func fineTuningLowersTheLossAndWritesAModelFolder() throws {
        let output = try CommandRunner.temporaryFolder() + "/out"
        let result = try distill(output, Self.training)
        try #require(result.status == 0, "\(result.standardError)")
        #expect(try meanNLL(output) < meanNLL(Self.student))
        let verify = try CommandRunner.run(["verify", output])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
        let rows = try logRows(output)
        #expect(rows.count == 6)
        #expect(rows.allSatisfy { $0.count == 7 && $0[3].isEmpty && Double($0[1]) != nil })
    }

    @Test func loRATrainsAdaptersAndWritesMergedWeights() throws {
        let output = try CommandRunner.temporaryFolder() + "/lora"
        let result = try distill(output, Self.training + ["--lora-rank", "4", "--lr", "1e-2"])
        try #require(result.status == 0, "\(result.standardError)")
        #expect(try meanNLL(output) < meanNLL(Self.student))
    }

    @Test func aTeacherCacheFillsTheFusionColumn() throws {
        let material = try Self.material.get()
        let output = try CommandRunner.temporaryFolder() + "/distilled"
        let result = try distill(output, Self.training + ["--targets", material.cache, "--json"])
        try #require(result.status == 0, "\(result.standardError)")
        let summary = try CommandRunner.json(result.standardOutput)
        #expect(summary["steps"] as? Int == 6)
        let rows = try logRows(output)
        #expect(rows.count == 6)
        #expect(rows.allSatisfy { $0.count == 7 && Double($0[3]).map { $0 > 0 } == true })
    }

    @Test func theSameCommandGivesTheSameWeights() throws {
        let work = try CommandRunner.temporaryFolder()
        let qwen = CommandRunner.fixture("model/tiny-qwen2")
        for name in ["one", "two"] {
            let result = try distill(work + "/" + name, Self.training, student: qwen)
            try #require(result.status == 0, "\(result.standardError)")
        }
        let one = try TestFiles.read(work + "/one/model.safetensors")
        #expect(one == (try TestFiles.read(work + "/two/model.safetensors")))
        #expect(one != (try TestFiles.read(qwen + "/model.safetensors")))
    }

    /// Threads, the budget and where the optimizer's state lives change
    /// nothing written: full fine-tuning and LoRA.
    @Test(arguments: [[], ["--lora-rank", "4", "--lora-alpha", "8"]])
    func threadsBudgetAndStatePlaceGiveTheSameWeights(lora: [String]) throws {
        let work = try CommandRunner.temporaryFolder()
        let qwen = CommandRunner.fixture("model/tiny-qwen2")
        let variants: [(String, [String])] = [
            ("one", ["--threads", "1", "--optimizer-state", "memory"]),
            ("two", ["--threads", "2", "--optimizer-state", "disk", "--checkpoint-steps", "2"]),
            ("small", ["--threads", "2", "--memory-budget", "16M"]),
        ]
        for (name, options) in variants {
            let result = try distill(work + "/" + name, Self.training + lora + options, student: qwen)
            try #require(result.status == 0, "\(name): \(result.standardError)")
        }
        let one = try TestFiles.read(work + "/one/model.safetensors")
        #expect(one != (try TestFiles.read(qwen + "/model.safetensors")))
        for name in ["two", "small"] {
            #expect(one == (try TestFiles.read(work + "/" + name + "/model.safetensors")), "\(name)")
            let hidden = try FileSystem.contents(ofDirectory: work + "/" + name).filter { $0.hasPrefix(".") }
            #expect(hidden.isEmpty, "\(name) publishes \(hidden)")
        }
    }

    /// Gradient accumulation: the same steps in passes of a record or two
    /// log the same losses (to rounding) as whole-step passes.
    @Test func microBatchesAccumulateToTheWholeStep() throws {
        let work = try CommandRunner.temporaryFolder()
        for (name, options) in [("whole", [String]()), ("micro", ["--micro-batch-tokens", "24"])] {
            let result = try distill(work + "/" + name, Self.training + options)
            try #require(result.status == 0, "\(name): \(result.standardError)")
        }
        let whole = try logRows(work + "/whole")
        let micro = try logRows(work + "/micro")
        #expect(whole.count == 6 && micro.count == 6)
        for (one, other) in zip(whole, micro) {
            // checked: rows have the loss in their second column
            let (a, b) = (Double(one[1])!, Double(other[1])!)
            #expect(abs(a - b) <= 1e-5 * a, "loss \(a) against \(b)")
        }
    }

    @Test func killedRunsResumeToTheWeightsOfAnUninterruptedOne() throws {
        let material = try Self.material.get()
        let work = try CommandRunner.temporaryFolder()
        let options = [
            "--steps", "12", "--batch-tokens", "64", "--lr", "1e-3", "--checkpoint-steps", "1", "--targets",
            material.cache, "--quiet",
        ]
        let reference = try distill(work + "/reference", options)
        try #require(reference.status == 0, "\(reference.standardError)")
        // The interrupted runs keep the optimizer's state on disk, the reference in memory.
        let arguments =
            ["distill", Self.student, material.data, work + "/out", "--chat-template", Self.template] + options
            + ["--optimizer-state", "disk"]
        let checkpoint = work + "/.out.smelt-partial/.distill-checkpoint.smsp"
        var generator = SystemRandomNumberGenerator()
        var killed = 0
        for _ in 0..<12 where killed < 5 {
            let before = (try? FileSystem.status(checkpoint))?.identity
            let running = try CommandRunner.start(arguments, environment: ["SMELT_DELAY_AT": "distill.step:60"])
            // Kill at a random moment after this run has written a checkpoint.
            for _ in 0..<1_000 where running.process.isRunning {
                if let now = (try? FileSystem.status(checkpoint))?.identity, now != before { break }
                usleep(5_000)
            }
            usleep(UInt32.random(in: 0...80_000, using: &generator))
            if running.send(SIGKILL) { killed += 1 }
            _ = running.wait()
        }
        #expect(killed >= 5)
        let finished = try distill(work + "/out", options.filter { $0 != "--quiet" } + ["--optimizer-state", "disk"])
        #expect(finished.status == 0, "\(finished.standardError)")
        #expect(finished.standardOutput.contains("resumed after step"), "\(finished.standardOutput)")
        #expect(
            try TestFiles.read(work + "/out/model.safetensors") == TestFiles.read(work + "/reference/model.safetensors")
        )
        #expect(try logRows(work + "/out").count == 12)
    }
}
