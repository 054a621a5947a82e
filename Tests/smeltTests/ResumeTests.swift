import Base
import Checkpoint
import Foundation
import Testing

/// Interrupted merges resume (issue 4): staged chunks are checked against
/// the journal, only damaged or missing ones are redone, a different run
/// is refused, and every way of stopping ends with the right exit code and
/// a line saying how to resume.
@Suite struct ResumeTests {
    /// Stops a run just before it publishes (every chunk staged and
    /// journaled) and returns the output path.
    func stagedButUnpublished(_ folder: String) throws -> String {
        let output = folder + "/merged"
        let killed = try CommandRunner.run(ResumeSupport.mergeArguments(output), environment: ["SMELT_CRASH_AT": "publish.before-cleanup"])
        #expect(killed.status == 128 + SIGKILL, "\(killed.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output))
        return output
    }

    @Test func aFlippedByteInAStagedChunkRedoesOnlyThatUnit() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = try stagedButUnpublished(folder)
        let shard = ResumeSupport.staging(output) + "/model.safetensors"
        let staged = try SafeTensorsFile(path: shard)
        let tensor = try #require(staged.tensor(named: "model.layers.0.mlp.up_proj.weight"))
        try ResumeSupport.flipByte(shard, at: staged.fileRange(of: tensor).lowerBound + 300_000)

        let resumed = try CommandRunner.run(ResumeSupport.mergeArguments(output, extra: ["--json"]))
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let resume = try ResumeSupport.resume(resumed)
        #expect(resume["redone_units"] as? Int == 1)
        #expect(resume["kept_units"] as? Int == 26)
        try ResumeSupport.expectMatchesReference(output)
        let history = try String(contentsOfFile: output + "/smelt-run.json", encoding: .utf8)
        // One 64Ki-element BF16 chunk recomputed, nothing else.
        #expect(history.contains("\"computed_bytes\": 131072"), "\(history)")
        #expect(history.contains("\"outcome\": \"killed while publishing\""))
    }

    @Test func aTornJournalTailIsDroppedAndTheRunCompletes() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = try stagedButUnpublished(folder)
        let journal = ResumeSupport.staging(output) + "/.smelt-journal"
        let size = try #require(try FileSystem.status(journal)?.size)
        try OpenFile.forUpdating(journal).truncate(to: size - 5)

        let resumed = try CommandRunner.run(ResumeSupport.mergeArguments(output, extra: ["--json"]))
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let resume = try ResumeSupport.resume(resumed)
        #expect((resume["torn_journal_bytes"] as? Int ?? 0) > 0)
        #expect(resume["redone_units"] as? Int == 0)
        try ResumeSupport.expectMatchesReference(output)
    }

    @Test func refusesToResumeAnotherSeedOrRecipeUntilRestarted() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = try stagedButUnpublished(folder)

        let seed = try CommandRunner.run(ResumeSupport.mergeArguments(output, extra: ["--seed", "5"]))
        #expect(seed.status == 73)
        #expect(seed.standardError.contains("--seed was 0, now 5") && seed.standardError.contains("--restart"), "\(seed.standardError)")

        let otherRecipe = folder + "/other.yml"
        let text = try String(contentsOfFile: CommandRunner.fixture("recipes/large-ties.yml"), encoding: .utf8)
        try Data(text.replacingOccurrences(of: "density: 0.3", with: "density: 0.4").utf8).write(to: URL(fileURLWithPath: otherRecipe))
        let recipe = try CommandRunner.run(ResumeSupport.mergeArguments(output, recipe: otherRecipe))
        #expect(recipe.status == 73)
        #expect(recipe.standardError.contains("the resolved recipe changed"), "\(recipe.standardError)")
        #expect(FileManager.default.fileExists(atPath: ResumeSupport.staging(output) + "/.smelt-journal"), "a refused resume must keep the staged work")

        let restarted = try CommandRunner.run(ResumeSupport.mergeArguments(output, extra: ["--restart", "--json"]))
        #expect(restarted.status == 0, "\(restarted.standardError)")
        #expect(try CommandRunner.json(restarted.standardOutput)["resume"] is NSNull)
        try ResumeSupport.expectMatchesReference(output)
    }

    @Test(arguments: ["ENOSPC", "EIO"])
    func aWriteFaultExits74AndARerunResumes(fault: String) throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/merged"
        let failed = try CommandRunner.run(
            ResumeSupport.mergeArguments(output), environment: ["SMELT_INJECT_WRITE_FAULT": "\(fault):1500000:.safetensors"])
        #expect(failed.status == 74, "\(failed.standardError)")
        let shard = ResumeSupport.staging(output) + "/model.safetensors"
        #expect(failed.standardError.contains(shard), "\(failed.standardError)")
        #expect(failed.standardError.contains("run the same command again to resume"))
        if fault == "ENOSPC" {
            #expect(failed.standardError.contains("the disk is full") && failed.standardError.contains("more bytes are needed"), "\(failed.standardError)")
        }
        #expect(failed.standardError.split(separator: "\n").count == 1, "one line: \(failed.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output))

        let resumed = try CommandRunner.run(ResumeSupport.mergeArguments(output, extra: ["--json"]))
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect((try ResumeSupport.resume(resumed)["kept_units"] as? Int ?? 0) > 0)
        try ResumeSupport.expectMatchesReference(output)
    }

    @Test(arguments: [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, Int32(143), "SIGTERM")])
    func aSignalStopsCleanlyAndTheRunResumes(signal: Int32, status: Int32, name: String) throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/merged"
        let running = try CommandRunner.start(ResumeSupport.mergeArguments(output), environment: ["SMELT_DELAY_AT": "chunk.retired:60"])
        // Wait until some chunks are journaled, then ask it to stop.
        ResumeSupport.waitForJournaledChunks(output)
        #expect(running.send(signal))
        let stopped = running.wait()
        #expect(stopped.status == status, "\(stopped.standardError)")
        #expect(stopped.standardError.hasPrefix("error: stopped by \(name); finished work"), "\(stopped.standardError)")
        #expect(stopped.standardError.contains("run the same command again to resume"))
        #expect(!FileManager.default.fileExists(atPath: output))

        let resumed = try CommandRunner.run(ResumeSupport.mergeArguments(output, extra: ["--json"]))
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect((try ResumeSupport.resume(resumed)["kept_units"] as? Int ?? 0) > 0)
        try ResumeSupport.expectMatchesReference(output)
        let history = try String(contentsOfFile: output + "/smelt-run.json", encoding: .utf8)
        #expect(history.contains("\"outcome\": \"interrupted\"") && history.contains("\"outcome\": \"merged\""), "\(history)")
    }

    @Test(arguments: ["publish.patched-shard", "publish.before-cleanup", "publish.before-rename", "publish.after-rename"])
    func aCrashWhilePublishingIsRecovered(point: String) throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/merged"
        let killed = try CommandRunner.run(ResumeSupport.mergeArguments(output), environment: ["SMELT_CRASH_AT": point])
        #expect(killed.status == 128 + SIGKILL, "\(killed.standardError)")
        try ResumeSupport.expectAbsentOrComplete(output)
        let rerun = try CommandRunner.run(ResumeSupport.mergeArguments(output))
        #expect(rerun.status == 0, "\(rerun.standardError)")
        try ResumeSupport.expectMatchesReference(output)
        #expect(!FileManager.default.fileExists(atPath: ResumeSupport.staging(output)))
    }

    @Test func aCrashBetweenTheRenamesOfAForcedReplaceIsRecovered() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/merged"
        let other = try CommandRunner.run(["merge", "Fixtures/recipes/ties.yml", output])
        #expect(other.status == 0, "\(other.standardError)")
        let killed = try CommandRunner.run(
            ResumeSupport.mergeArguments(output, extra: ["--force"]), environment: ["SMELT_CRASH_AT": "publish.between-renames"])
        #expect(killed.status == 128 + SIGKILL)
        try ResumeSupport.expectAbsentOrComplete(output)
        let rerun = try CommandRunner.run(ResumeSupport.mergeArguments(output, extra: ["--force"]))
        #expect(rerun.status == 0, "\(rerun.standardError)")
        try ResumeSupport.expectMatchesReference(output)
    }

    @Test func anInputCutShortMidRunExits74AndTheRunResumesOnceItIsRestored() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func copy(_ from: String, _ to: String) throws {
            let process = try Process.run(URL(fileURLWithPath: "/bin/cp"), arguments: ["-pR", from, to])
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        for name in ["llama-large-base", "llama-large-a"] { try copy(CommandRunner.fixture("models/" + name), folder + "/" + name) }
        try copy(folder + "/llama-large-a/model.safetensors", folder + "/backup.safetensors")
        let recipe = folder + "/recipe.yml"
        let text = try String(contentsOfFile: CommandRunner.fixture("recipes/large-ties.yml"), encoding: .utf8)
        try Data(text.replacingOccurrences(of: "Fixtures/models", with: folder).utf8).write(to: URL(fileURLWithPath: recipe))
        let output = folder + "/merged"
        let input = folder + "/llama-large-a/model.safetensors"

        let running = try CommandRunner.start(ResumeSupport.mergeArguments(output, recipe: recipe), environment: ["SMELT_DELAY_AT": "chunk.retired:60"])
        ResumeSupport.waitForJournaledChunks(output)
        try OpenFile.forUpdating(input).truncate(to: 8192)
        let failed = running.wait()
        #expect(failed.status == 74, "\(failed.standardError)")
        #expect(failed.standardError.contains(input) && failed.standardError.contains("ended early"), "\(failed.standardError)")
        #expect(failed.standardError.contains("run the same command again to resume"))
        #expect(!FileManager.default.fileExists(atPath: output))

        // Restored as a backup tool would, modification time included.
        try FileManager.default.removeItem(atPath: input)
        try copy(folder + "/backup.safetensors", input)
        let resumed = try CommandRunner.run(ResumeSupport.mergeArguments(output, recipe: recipe, extra: ["--json"]))
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect((try ResumeSupport.resume(resumed)["kept_units"] as? Int ?? 0) > 0)
        let reference = try CommandRunner.run(ResumeSupport.mergeArguments(folder + "/reference", recipe: recipe))
        #expect(reference.status == 0)
        #expect(try ResumeSupport.publishedFiles(output) == ResumeSupport.publishedFiles(folder + "/reference"))
    }

    @Test func aResumeWithAnotherChunkSizeKeepsTheFinishedTensors() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = try stagedButUnpublished(folder)
        // The chunk size is not part of the identity: a smaller machine may resume.
        let arguments = ["merge", ResumeSupport.recipe, output, "--chunk-size", "1M", "--threads", "1", "--memory-budget", "32M", "--json"]
        let resumed = try CommandRunner.run(arguments)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let resume = try ResumeSupport.resume(resumed)
        #expect(resume["kept_units"] as? Int == 27 && resume["redone_units"] as? Int == 0)
        try ResumeSupport.expectMatchesReference(output)
        let history = try String(contentsOfFile: output + "/smelt-run.json", encoding: .utf8)
        #expect(history.contains("\"computed_bytes\": 0"), "\(history)")
    }

    @Test func aDamagedJournalIsRefusedWithWhereAndHowToStartOver() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = try stagedButUnpublished(folder)
        let journal = ResumeSupport.staging(output) + "/.smelt-journal"
        try ResumeSupport.flipByte(journal, at: 40)   // inside the first block's payload
        let refused = try CommandRunner.run(ResumeSupport.mergeArguments(output))
        #expect(refused.status == 73)
        #expect(refused.standardError.contains(journal) && refused.standardError.contains("block at byte 0 is corrupt"), "\(refused.standardError)")
        #expect(refused.standardError.contains("--restart"))
        let restarted = try CommandRunner.run(ResumeSupport.mergeArguments(output, extra: ["--restart"]))
        #expect(restarted.status == 0, "\(restarted.standardError)")
        try ResumeSupport.expectMatchesReference(output)
    }
}
