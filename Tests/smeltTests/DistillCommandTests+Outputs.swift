import Base
import Checkpoint
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What `smelt distill` writes beside the weights and how it writes them:
/// the `--eval` column, `train-loss.svg`, a PEFT adapter with
/// `--save-adapter`, and "already complete" for a rerun of a finished command.
extension DistillCommandTests {
    /// Held-out records: other texts than the training data's.
    static let evaluationRecords: [String] = (0..<4).map { index in
        #"{"id": "held-\#(index)", "text": "Held out \#(index): the river ran past \#(index + 2) quiet foxes."}"#
    }

    func evaluationData(_ work: String) throws -> String {
        try FuseCommandTests.write(Self.evaluationRecords, to: work + "/eval.jsonl")
    }

    /// Every tensor of the safetensors file in `folder`, as Float32 values, by name.
    func tensors(_ folder: String) throws -> [String: (shape: [UInt64], values: [Float])] {
        var tensors: [String: (shape: [UInt64], values: [Float])] = [:]
        for (file, entry) in try Checkpoint(path: folder).tensors {
            #expect(entry.dtype == .f32, "\(entry.name)")
            tensors[entry.name] = (
                entry.shape,
                file.mapping.withBytes(in: file.fileRange(of: entry)) { bytes in
                    stride(from: 0, to: bytes.count, by: 4).map {
                        bytes.loadUnaligned(fromByteOffset: $0, as: Float.self)
                    }
                }
            )
        }
        return tensors
    }

    @Test func evaluationFillsTheEvalColumnAtItsStepsAndTheEnd() throws {
        let work = try CommandRunner.temporaryFolder()
        let evaluation = try evaluationData(work)
        let result = try distill(work + "/out", Self.training + ["--eval", evaluation, "--eval-steps", "4"])
        try #require(result.status == 0, "\(result.standardError)")
        let text = String(decoding: try TestFiles.read(work + "/out/train-log.csv"), as: UTF8.self)
        #expect(text.hasPrefix("step,loss,ce,fusion,lr,grad_norm,tokens_per_second,eval_loss\n"))
        let rows = text.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        #expect(rows.count == 6 && rows.allSatisfy { $0.count == 8 })
        #expect(rows.map { !$0[7].isEmpty } == [false, false, false, true, false, true])
        // The last evaluation is `smelt score`'s mean NLL of the written weights on the same records.
        let score = try CommandRunner.run([
            "score", work + "/out", evaluation, "--chat-template", Self.template, "--json",
        ])
        try #require(score.status == 0, "\(score.standardError)")
        let summary = try #require(
            try CommandRunner.json(String(score.standardOutput.split(separator: "\n").last ?? ""))["summary"]
                as? [String: Any])
        let scored = try #require(summary["mean_nll"] as? Double)
        #expect(abs((Double(rows[5][7]) ?? 0) - scored) < 1e-5, "\(rows[5][7]) against \(scored)")
        #expect(result.standardOutput.contains("eval loss"), "\(result.standardOutput)")
    }

    @Test func thePlotShowsTheLossAndTheEvaluations() throws {
        let work = try CommandRunner.temporaryFolder()
        let result = try distill(work + "/out", Self.training + ["--eval", try evaluationData(work)])
        try #require(result.status == 0, "\(result.standardError)")
        let svg = String(decoding: try TestFiles.read(work + "/out/train-loss.svg"), as: UTF8.self)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1)
        // Six steps of loss in one line; --eval-steps defaults to --checkpoint-steps (50): one evaluation, at the end.
        #expect(svg.components(separatedBy: " ").filter { $0.hasPrefix("points=") }.count == 1)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 1)
        #expect(svg.contains("training loss") && svg.contains("evaluation loss"))
        let verify = try CommandRunner.run(["verify", work + "/out"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
    }

    @Test func aKilledRunWithEvaluationResumesToTheSameLog() throws {
        let work = try CommandRunner.temporaryFolder()
        let options = [
            "--steps", "6", "--batch-tokens", "64", "--lr", "1e-3", "--checkpoint-steps", "2", "--eval",
            try evaluationData(work), "--quiet",
        ]
        let reference = try distill(work + "/reference", options)
        try #require(reference.status == 0, "\(reference.standardError)")
        let material = try Self.material.get()
        let checkpoint = work + "/.out.smelt-partial/.distill-checkpoint.smsp"
        let running = try CommandRunner.start(
            ["distill", Self.student, material.data, work + "/out", "--chat-template", Self.template] + options,
            environment: ["SMELT_DELAY_AT": "distill.step:400"])
        for _ in 0..<2_000 where running.process.isRunning && (try? FileSystem.status(checkpoint)) == nil {
            usleep(5_000)
        }
        _ = running.send(SIGKILL)
        _ = running.wait()
        let finished = try distill(work + "/out", options.filter { $0 != "--quiet" })
        try #require(finished.status == 0, "\(finished.standardError)")
        #expect(finished.standardOutput.contains("resumed after step"), "\(finished.standardOutput)")
        // Every column but tokens_per_second (a timing) is the uninterrupted run's, byte for byte.
        func columns(_ output: String) throws -> [String] {
            String(decoding: try TestFiles.read(output + "/train-log.csv"), as: UTF8.self).split(separator: "\n").map {
                var fields = $0.split(separator: ",", omittingEmptySubsequences: false)
                fields.remove(at: 6)
                return fields.joined(separator: ",")
            }
        }
        #expect(try columns(work + "/out") == columns(work + "/reference"))
        #expect(
            try TestFiles.read(work + "/out/model.safetensors") == TestFiles.read(work + "/reference/model.safetensors")
        )
    }

    @Test func aSavedAdapterIsPEFTsAndMergesToTheMergedRunsWeights() throws {
        let work = try CommandRunner.temporaryFolder()
        let options = Self.training + ["--lora-rank", "4", "--lora-alpha", "8", "--lr", "1e-2"]
        let merged = try distill(work + "/merged", options)
        try #require(merged.status == 0, "\(merged.standardError)")
        let saved = try distill(work + "/adapter", options + ["--save-adapter"])
        try #require(saved.status == 0, "\(saved.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: work + "/adapter").sorted()
        #expect(files.contains("adapter_model.safetensors") && files.contains("adapter_config.json"))
        #expect(!files.contains("model.safetensors") && !files.contains("config.json"))
        let config = try CommandRunner.json(
            String(decoding: try TestFiles.read(work + "/adapter/adapter_config.json"), as: UTF8.self))
        #expect(config["peft_type"] as? String == "LORA" && config["task_type"] as? String == "CAUSAL_LM")
        #expect(config["r"] as? Int == 4 && config["lora_alpha"] as? Int == 8)
        #expect(config["base_model_name_or_path"] as? String == Self.student)
        #expect(config["bias"] as? String == "none" && config["lora_dropout"] as? Double == 0)
        #expect(
            config["target_modules"] as? [String]
                == ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
        let adapters = try tensors(work + "/adapter")
        let base = try tensors(Self.student)
        let trained = try tensors(work + "/merged")
        let prefix = "base_model.model.model.layers."
        let layerCount = base.keys.filter { $0.hasSuffix(".self_attn.q_proj.weight") }.count
        #expect(adapters.count == 2 * 7 * layerCount && adapters.keys.allSatisfy { $0.hasPrefix(prefix) })
        var largestDifference: Float = 0
        var adaptedCount = 0
        for (name, a) in adapters where name.hasSuffix(".lora_A.weight") {
            let module = String(name.dropFirst("base_model.model.".count).dropLast(".lora_A.weight".count))
            let b = try #require(adapters["base_model.model." + module + ".lora_B.weight"])
            let weight = try #require(base[module + ".weight"])
            let (rows, columns) = (Int(weight.shape[0]), Int(weight.shape[1]))
            #expect(a.shape == [4, UInt64(columns)] && b.shape == [UInt64(rows), 4])
            let written = try #require(trained[module + ".weight"]).values
            for row in 0..<rows {
                for column in 0..<columns {
                    var update = 0.0
                    for r in 0..<4 { update += Double(b.values[row * 4 + r]) * Double(a.values[r * columns + column]) }
                    let expected = Double(weight.values[row * columns + column]) + 2 * update
                    largestDifference = max(
                        largestDifference, Float(abs(expected - Double(written[row * columns + column]))))
                }
            }
            adaptedCount += 1
        }
        #expect(adaptedCount == 7 * layerCount && layerCount > 0)
        #expect(largestDifference < 1e-5)
        #expect(adapters.values.contains { $0.values.contains { $0 != 0 } })
    }

    @Test func rerunningAFinishedCommandReportsItComplete() throws {
        let work = try CommandRunner.temporaryFolder()
        let first = try distill(work + "/out", Self.training)
        try #require(first.status == 0, "\(first.standardError)")
        let before = try TestFiles.read(work + "/out/model.safetensors")
        let again = try distill(work + "/out", Self.training.filter { $0 != "--quiet" })
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput.contains("already complete (6 steps"), "\(again.standardOutput)")
        #expect(try TestFiles.read(work + "/out/model.safetensors") == before)
        let other = try distill(work + "/out", Self.training + ["--seed", "3"])
        #expect(other.status == 73, "\(other.standardError)")
        #expect(other.standardError.contains("already exists"), "\(other.standardError)")
    }
}
