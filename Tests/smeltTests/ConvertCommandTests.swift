import Base
import Checkpoint
import Foundation
import Testing
import TestSupport

/// `smelt convert` as a user runs it: its refusals and their exit codes,
/// its JSON result, reruns, --force, --raw-names, and a run stopped by a
/// signal that resumes into the bytes of an uninterrupted one.
@Suite struct ConvertCommandTests {
    /// A folder holding `m.gguf`, written from `model`.
    static func folder(with model: TinyGGUF = .llama()) throws -> String {
        let folder = try CommandRunner.temporaryFolder()
        try Data(model.bytes).write(to: URL(fileURLWithPath: folder + "/m.gguf"))
        return folder
    }

    struct RefusalCase: CustomTestStringConvertible, Sendable {
        let rule: String
        let arguments: [String]
        let status: Int32
        let message: String
        var testDescription: String { rule }
    }

    static let refusals: [RefusalCase] = [
        RefusalCase(
            rule: "unknown dtype", arguments: ["--dtype", "fp8"], status: 64,
            message: "error: --dtype must be bf16, f16 or f32, not 'fp8'"),
        RefusalCase(
            rule: "raw names in bf16", arguments: ["--raw-names"], status: 64,
            message: "error: --raw-names writes the GGUF's tensors as dequantized: it needs --dtype f32"),
        RefusalCase(
            rule: "raw names in f16", arguments: ["--raw-names", "--dtype=f16"], status: 64,
            message: "it needs --dtype f32"),
        RefusalCase(
            rule: "a budget below the minimum", arguments: ["--memory-budget", "1M"], status: 64,
            message: "error: --memory-budget 1M is below the smallest allowed"),
        RefusalCase(
            rule: "no threads", arguments: ["--threads", "0"], status: 64,
            message: "error: --threads must be a whole number from 1 to 1024, not '0'"),
        RefusalCase(
            rule: "a shard size that is not a size", arguments: ["--shard-size", "big"], status: 64,
            message: "error: --shard-size must be a size"),
        RefusalCase(
            rule: "an option of merge", arguments: ["--seed", "1"], status: 64, message: "error: unknown option '--seed'"),
    ]

    @Test(arguments: refusals)
    func refusesBadCommandLines(_ testCase: RefusalCase) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CommandRunner.run(["convert", folder + "/m.gguf", folder + "/out"] + testCase.arguments)
        #expect(result.status == testCase.status)
        #expect(result.standardError.contains(testCase.message), "stderr: \(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
    }

    @Test func refusesAnUnknownArchitectureNamingItAndTheWayOut() throws {
        var model = TinyGGUF.llama()
        model.setMetadata("general.architecture", .string("mamba"))
        let folder = try Self.folder(with: model)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CommandRunner.run(["convert", folder + "/m.gguf", folder + "/out"])
        #expect(result.status == 65)
        #expect(
            result.standardError
                == "error: \(folder)/m.gguf: architecture \"mamba\" is not supported (Smelt converts gemma3, llama, qwen2)\n"
                + "hint: --raw-names --dtype f32 writes the tensors of any architecture under their GGUF names\n")
        let raw = try CommandRunner.run(
            ["convert", folder + "/m.gguf", folder + "/out", "--raw-names", "--dtype", "f32", "--json"])
        #expect(raw.status == 0, "\(raw.standardError)")
        let json = try CommandRunner.json(raw.standardOutput)
        #expect(json["architecture"] is NSNull && json["tensors"] as? Int == model.tensors.count)
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/config.json"))
        let manifest = try Manifest(
            path: "m", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/out/smelt-manifest.json"))))
        #expect(manifest.tensors.map(\.name) == model.tensors.map(\.name))
        #expect(manifest.tensors.allSatisfy { $0.dtype == .f32 })
    }

    @Test func refusesAMissingInputAndAMalformedOne() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let missing = try CommandRunner.run(["convert", folder + "/none.gguf", folder + "/out"])
        #expect(missing.status == 66 && missing.standardError.contains("none.gguf: no such file or folder"))
        try Data("GGUF".utf8).write(to: URL(fileURLWithPath: folder + "/short.gguf"))
        let short = try CommandRunner.run(["convert", folder + "/short.gguf", folder + "/out"])
        #expect(short.status == 65 && short.standardError.hasPrefix("error: \(folder)/short.gguf: byte 4: "))
    }

    @Test func convertsThenSaysSoThenRefusesADifferentOutputUnlessForced() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let arguments = ["convert", folder + "/m.gguf", folder + "/out"]
        let first = try CommandRunner.run(arguments + ["--json"])
        #expect(first.status == 0, "\(first.standardError)")
        let json = try CommandRunner.json(first.standardOutput)
        #expect(json["outcome"] as? String == "converted" && json["architecture"] as? String == "llama")
        #expect(json["dtype"] as? String == "BF16" && json["shards"] as? Int == 1)
        #expect(json["tensors"] as? Int == TinyGGUF.llama().tensors.count)
        #expect((json["peak_rss_bytes"] as? Int ?? 0) > 0 && json["resume"] is NSNull)
        let again = try CommandRunner.run(arguments)
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput.contains("already holds this conversion (plan "))
        #expect(again.standardOutput.hasSuffix("); nothing to do\n"))
        let other = try CommandRunner.run(arguments + ["--dtype", "f16"])
        #expect(other.status == 73)
        #expect(other.standardError.contains("already holds something else") && other.standardError.contains("--force"))
        let forced = try CommandRunner.run(arguments + ["--dtype", "f16", "--force", "--quiet"])
        #expect(forced.status == 0 && forced.standardOutput.hasPrefix("converted the llama model"), "\(forced.standardError)")
        let verify = try CommandRunner.run(["verify", folder + "/out", "--inputs"])
        #expect(verify.status == 0, "\(verify.standardOutput)")
    }

    @Test func neverReplacesItsInput() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let replacing = try CommandRunner.run(["convert", folder + "/m.gguf", folder + "/m.gguf", "--force"])
        #expect(replacing.status == 73 && replacing.standardError.contains("is the input"), "\(replacing.standardError)")
        #expect(FileManager.default.fileExists(atPath: folder + "/m.gguf"))
    }

    @Test func aShardSizeSplitsTheOutputWithAnIndex() throws {
        let folder = try Self.folder(with: .qwen2())
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CommandRunner.run(
            ["convert", folder + "/m.gguf", folder + "/out", "--shard-size", "8K", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let shards = try #require(try CommandRunner.json(result.standardOutput)["shards"] as? Int)
        #expect(shards > 1)
        #expect(FileManager.default.fileExists(atPath: folder + "/out/model.safetensors.index.json"))
        let verify = try CommandRunner.run(["verify", folder + "/out"])
        #expect(verify.status == 0, "\(verify.standardOutput)")
    }

    /// Each retired chunk sleeps this long (a debug-build hook), so the
    /// conversion lasts long enough to be stopped mid-work.
    static let slow = ["SMELT_DELAY_AT": "chunk.retired:50"]

    @Test func aStoppedConversionResumesIntoTheSameBytes() throws {
        let folder = try Self.folder(with: .gemma3())
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let reference = try CommandRunner.run(["convert", folder + "/m.gguf", folder + "/reference"])
        #expect(reference.status == 0)
        let arguments = ["convert", folder + "/m.gguf", folder + "/out", "--quiet", "--threads", "2"]
        let running = try CommandRunner.start(arguments, environment: Self.slow)
        // Signal once the run has journaled a few of its ~30 chunks.
        let journal = folder + "/.out.smelt-partial/.smelt-journal"
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: journal) { usleep(10_000) }
        usleep(400_000)
        #expect(running.send(SIGTERM))
        let stopped = running.wait()
        #expect(stopped.status == 143, "\(stopped.standardError)")
        #expect(stopped.standardError.contains("run the same command again to resume"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
        let resumed = try CommandRunner.run(arguments + ["--json"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let resume = try #require(try CommandRunner.json(resumed.standardOutput)["resume"] as? [String: Any])
        #expect((resume["kept_bytes"] as? Int ?? 0) > 0)
        for name in ["model.safetensors", "config.json", "generation_config.json", "chat_template.jinja"] {
            let made = try Data(contentsOf: URL(fileURLWithPath: folder + "/out/" + name))
            #expect(made == (try Data(contentsOf: URL(fileURLWithPath: folder + "/reference/" + name))), "\(name)")
        }
        let history = try String(contentsOfFile: folder + "/out/smelt-run.json", encoding: .utf8)
        #expect(history.contains("\"interrupted\"") && history.contains("\"converted\""))
    }
}
