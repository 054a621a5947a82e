import Base
import Checkpoint
import Foundation
import Testing

/// The `smelt` command end to end: output, `--json`, help, and the exit
/// code of every refusal (DESIGN.md, "Exit codes").
@Suite struct CommandLineTests {
    @Test func inspectListsTensorsOfAShardedModel() throws {
        let result = try CommandRunner.run(["inspect", CommandRunner.fixture("models/llama-sharded")])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("3 files, 21 tensors, 26,784 parameters"))
        #expect(result.standardOutput.contains("model.layers.1.mlp.down_proj.weight"))
        #expect(result.standardError.isEmpty)
    }

    @Test func inspectJSONFollowsTheDocumentedSchema() throws {
        let result = try CommandRunner.run(["inspect", CommandRunner.fixture("models/llama-f32-base"), "--json"])
        #expect(result.status == 0)
        let json = try CommandRunner.json(result.standardOutput)
        #expect(json["tensor_count"] as? Int == 21)
        #expect(json["tensor_bytes"] as? Int == 107_136)
        let tensors = try #require(json["tensors"] as? [[String: Any]])
        let embedding = try #require(tensors.first { $0["name"] as? String == "model.embed_tokens.weight" })
        #expect(embedding["dtype"] as? String == "F32" && embedding["shape"] as? [Int] == [128, 32] && embedding["bytes"] as? Int == 16384)
        let files = try #require(json["files"] as? [[String: Any]])
        #expect((files.first?["metadata"] as? [String: String])?["format"] == "pt")
    }

    @Test func hashMatchesTheIndependentDigests() throws {
        let result = try CommandRunner.run(["hash", "--json", CommandRunner.fixture("models/llama-bf16-a")])
        #expect(result.status == 0)
        let reference = try CommandRunner.json(String(decoding: FileManager.default.contents(atPath: CommandRunner.fixture("fixture-digests.json")) ?? Data(), as: UTF8.self))
        let expected = try #require(reference["models/llama-bf16-a/model.safetensors"] as? [String: Any])
        let file = try #require((try CommandRunner.json(result.standardOutput)["files"] as? [[String: Any]])?.first)
        #expect(file["header_xxh3"] as? String == expected["header_xxh3"] as? String)
        let digests = Dictionary(uniqueKeysWithValues: (file["tensors"] as? [[String: String]] ?? []).map { ($0["name"] ?? "", $0["xxh3"] ?? "") })
        #expect(digests == expected["tensors"] as? [String: String])
    }

    @Test func verifyExitsZeroOnACleanModelAndOneOnADamagedOne() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model"
        try FileManager.default.copyItem(atPath: CommandRunner.fixture("models/llama-sharded"), toPath: model)
        #expect(try CommandRunner.run(["verify", model]).status == 0)
        // Cut the last shard short: the header no longer tiles the file.
        let shard = model + "/model-00003-of-00003.safetensors"
        let handle = try #require(FileHandle(forUpdatingAtPath: shard))
        try handle.truncate(atOffset: 1000)
        try handle.close()
        let result = try CommandRunner.run(["verify", model, "--json"])
        #expect(result.status == 1)
        let json = try CommandRunner.json(result.standardOutput)
        #expect(json["ok"] as? Bool == false)
        let problems = try #require(json["problems"] as? [[String: Any]])
        #expect(problems.contains { ($0["file"] as? String) == shard && ($0["problem"] as? String)?.contains("truncated") == true })
        let text = try CommandRunner.run(["verify", model])
        #expect(text.status == 1 && text.standardOutput.contains("problem: \(shard)") && text.standardOutput.contains("FAILED"))
    }

    @Test func verifyOfACheckpointWithoutDigestsSaysOnlyTheStructureWasChecked() throws {
        let model = CommandRunner.fixture("models/llama-f32-base")  // written by a Python script: no xxh3: keys
        let text = try CommandRunner.run(["verify", model])
        #expect(text.status == 0)
        #expect(
            text.standardOutput
                == "\(model): ok: structure valid; no stored digests to check the 21 tensors against (written by another tool)\n"
        )
        let json = try CommandRunner.json(try CommandRunner.run(["verify", model, "--json"]).standardOutput)
        #expect(json["ok"] as? Bool == true && json["stored_digests"] as? Bool == false)
        #expect(json["tensors_verified"] as? Int == 0 && json["tensors_without_digest"] as? Int == 21)
    }

    struct RefusalCase: CustomTestStringConvertible, Sendable {
        let rule: String
        let arguments: [String]
        let status: Int32
        let message: String
        var testDescription: String { rule }
    }

    static let refusals: [RefusalCase] = [
        RefusalCase(rule: "no command", arguments: [], status: 64, message: "error: missing command"),
        RefusalCase(rule: "unknown command", arguments: ["mrege"], status: 64, message: "error: unknown command 'mrege'"),
        RefusalCase(rule: "unknown option", arguments: ["inspect", "--fast", "x"], status: 64, message: "error: unknown option '--fast' (known: --json)"),
        RefusalCase(rule: "flag given a value", arguments: ["inspect", "--json=yes", "x"], status: 64, message: "error: --json takes no value"),
        RefusalCase(rule: "missing path argument", arguments: ["hash"], status: 64, message: "error: missing PATH"),
        RefusalCase(rule: "two paths", arguments: ["verify", "a", "b"], status: 64, message: "error: unexpected argument 'b'"),
        RefusalCase(rule: "missing path", arguments: ["inspect", "/nonexistent/model"], status: 66, message: "error: /nonexistent/model: no such file or folder"),
        RefusalCase(rule: "verify of a missing path", arguments: ["verify", "/nonexistent/model"], status: 66, message: "no such file or folder"),
    ]

    @Test(arguments: refusals)
    func refusesBadCommandLines(_ testCase: RefusalCase) throws {
        let result = try CommandRunner.run(testCase.arguments)
        #expect(result.status == testCase.status)
        #expect(result.standardError.contains(testCase.message), "stderr: \(result.standardError)")
    }

    @Test func malformedCheckpointExits65NamingFileTensorAndRule() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/bad.safetensors"
        let json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}"
        var bytes = Data([UInt8(json.utf8.count), 0, 0, 0, 0, 0, 0, 0])
        bytes.append(Data(json.utf8))
        bytes.append(Data(count: 8))
        try bytes.write(to: URL(fileURLWithPath: path))
        for command in ["inspect", "hash"] {
            let result = try CommandRunner.run([command, path])
            #expect(result.status == 65)
            #expect(result.standardError == "error: \(path): tensor \"w\": dtype and shape need 12 bytes but data_offsets span 8\n")
        }
        let verify = try CommandRunner.run(["verify", path])
        #expect(verify.status == 1 && verify.standardOutput.contains("dtype and shape need 12 bytes"))
    }

    @Test func optionsAfterDoubleDashArePaths() throws {
        let result = try CommandRunner.run(["inspect", "--", "--json"])
        #expect(result.status == 66 && result.standardError.contains("--json: no such file"))
    }

    @Test(arguments: ["inspect", "hash", "verify", "merge", "convert"])
    func everyCommandHasHelp(_ command: String) throws {
        for flag in ["-h", "--help"] {
            let result = try CommandRunner.run([command, flag])
            #expect(result.status == 0)
            #expect(result.standardOutput.hasPrefix("usage: smelt \(command)"))
            #expect(result.standardOutput.contains("exit codes"))
        }
        let top = try CommandRunner.run(["--help"])
        #expect(top.status == 0 && top.standardOutput.contains(command))
    }
}
