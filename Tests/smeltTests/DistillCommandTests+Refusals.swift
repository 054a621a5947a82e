import Base
import Foundation
import TestSupport
import Testing

/// What `smelt distill` refuses, each before OUT exists, with its exit code
/// and a message naming the culprit.
extension DistillCommandTests {
    @Test func aCacheOverOtherDataIsRefused() throws {
        let material = try Self.material.get()
        let work = try CommandRunner.temporaryFolder()
        let other = try FuseCommandTests.write(Array(Self.records.prefix(5)), to: work + "/other.jsonl")
        let result = try distill(work + "/out", Self.training + ["--targets", material.cache], data: other)
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("other data"), "\(result.standardError)")
        #expect(try FileSystem.status(work + "/out") == nil)
    }

    @Test func aCacheOfAnotherVocabularyIsRefused() throws {
        let material = try Self.material.get()
        let work = try CommandRunner.temporaryFolder()
        let cache = work + "/wide.cache"
        try FileManager.default.copyItem(atPath: material.cache, toPath: cache)
        let manifest = cache + "/smelt-cache.json"
        let text = String(decoding: try TestFiles.read(manifest), as: UTF8.self)
        try TestFiles.write(
            Array(text.replacingOccurrences(of: "\"vocabulary_size\": 1500", with: "\"vocabulary_size\": 1600").utf8),
            to: manifest)
        let result = try distill(work + "/out", Self.training + ["--targets", cache])
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("1600 tokens, the student's 1500"), "\(result.standardError)")
    }

    @Test func aCacheWithoutTargetsIsRefused() throws {
        let material = try Self.material.get()
        let work = try CommandRunner.temporaryFolder()
        let cache = work + "/empty.cache"
        let made = try CommandRunner.run(
            [
                "logits", Self.teacher, material.data, cache, "--top-k", "0", "--chat-template", Self.template,
                "--quiet",
            ])
        #expect(made.status == 0, "\(made.standardError)")
        let result = try distill(work + "/out", Self.training + ["--targets", cache])
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("its K is 0"), "\(result.standardError)")
        #expect(try FileSystem.status(work + "/out") == nil)
    }

    @Test func aGemma3StudentIsRefused() throws {
        let work = try CommandRunner.temporaryFolder()
        let result = try distill(work + "/out", Self.training, student: Self.teacher)
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("gemma3"), "\(result.standardError)")
    }

    @Test func anotherCommandLineIsRefusedNamingTheChange() throws {
        let work = try CommandRunner.temporaryFolder()
        let options = ["--steps", "4", "--batch-tokens", "64", "--checkpoint-steps", "1", "--quiet"]
        let running = try CommandRunner.start(
            ["distill", Self.student, try Self.material.get().data, work + "/out", "--chat-template", Self.template]
                + options, environment: ["SMELT_DELAY_AT": "distill.step:5000"])
        usleep(1_500_000)
        _ = running.send(SIGKILL)
        _ = running.wait()
        let other = try distill(work + "/out", options + ["--lr", "2e-5"])
        #expect(other.status == 73, "\(other.standardError)")
        #expect(other.standardError.contains("--lr was 1e-05, now 2e-05"), "\(other.standardError)")
    }

    @Test(arguments: [
        ["--steps", "0"], ["--steps", "2", "--epochs", "1"], ["--lambda", "1.5"], ["--lr", "fast"],
        ["--lora-alpha", "8"], ["--batch-tokens", "-1"], ["--eval-steps", "2"], ["--save-adapter"],
        ["--save-adapter", "--steps", "2"], ["--optimizer-state", "cloud"], ["--micro-batch-tokens", "0"],
    ])
    func badOptionsAreRefused(options: [String]) throws {
        let work = try CommandRunner.temporaryFolder()
        let result = try distill(work + "/out", options)
        #expect(result.status == 64, "\(options): \(result.standardError)")
        #expect(try FileSystem.status(work + "/out") == nil)
    }

    @Test func missingEvaluationDataIsRefused() throws {
        let work = try CommandRunner.temporaryFolder()
        let result = try distill(work + "/out", Self.training + ["--eval", work + "/absent.jsonl"])
        #expect(result.status == 66, "\(result.standardError)")
        #expect(result.standardError.contains("absent.jsonl"), "\(result.standardError)")
        #expect(try FileSystem.status(work + "/out") == nil)
    }

    @Test(arguments: [
        ("", "holds no record"),
        (#"{"prompt": "Only a prompt: ", "completion": ""}"#, "holds no position to evaluate"),
    ])
    func evaluationDataWithoutLossPositionsIsRefused(lines: String, message: String) throws {
        let work = try CommandRunner.temporaryFolder()
        try TestFiles.write(Array((lines.isEmpty ? "" : lines + "\n").utf8), to: work + "/eval.jsonl")
        let result = try distill(work + "/out", Self.training + ["--eval", work + "/eval.jsonl"])
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
        #expect(try FileSystem.status(work + "/out") == nil)
    }
}
