import Base
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `smelt fuse` as a user runs it: two teachers of two tokenizers fuse into
/// a logit cache in the target's tokens that `smelt cache` reads, every
/// alignment, map and fusion works, the bytes depend on nothing but the
/// inputs and options, a killed run resumes to the same bytes, and bad
/// inputs are refused naming the culprit before OUT exists.
@Suite struct FuseCommandTests {
    static let target = CommandRunner.fixture("model/tiny-llama")
    /// The target's own tokenizer (tiny-gemma3's tokenizer.json is tiny-llama's).
    static let sameTokenizerModel = CommandRunner.fixture("model/tiny-gemma3")
    static let targetTemplate = CommandRunner.fixture("tokenize/chat/templates/smollm2.jinja")
    static let teacherTemplate = CommandRunner.fixture("tokenize/chat/templates/google-gemma-3-it.jinja")
    static let cacheFiles = ["smelt-cache.json", "index.smsp", "records.smsp", "fusion.smsp"]

    /// 72 records of the three kinds, with string and number ids: more than
    /// one batch (64 records) at the smallest --memory-budget.
    static let records: [String] = (0..<72).map { index in
        switch index % 3 {
        case 0: #"{"id": "text-\#(index)", "text": "Record \#(index): a small fox ran \#(index) times by the river."}"#
        case 1: #"{"id": \#(index), "prompt": "Count to \#(index): ", "completion": "one two three and so on"}"#
        default:
            #"{"messages": [{"role": "user", "content": "Hi \#(index)"}, "#
                + #"{"role": "assistant", "content": "Hello there, \#(index)!"}]}"#
        }
    }

    /// The data and the two teacher caches every test fuses.
    struct Material: Sendable {
        let work: String
        let data: String
        /// tiny-qwen2's weights with a SentencePiece-style Unigram tokenizer.
        let otherTokenizerModel: String
        let otherTokenizerCache: String
        /// Made by tiny-gemma3 with the target's template: the target's tokens.
        let sameTokenizerCache: String

        var otherTokenizerTeacher: String { otherTokenizerCache + "=" + otherTokenizerModel + "," + teacherTemplate }
        var teachers: [String] { ["--teacher", otherTokenizerTeacher, "--teacher", sameTokenizerCache] }
    }

    struct SetupFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Made once per test process.
    static let material = Result { () throws -> Material in
        let work = try CommandRunner.temporaryFolder()
        let data = try write(records, to: work + "/data.jsonl")
        let model = work + "/unigram-teacher"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: false)
        for (source, name) in [
            ("model/tiny-qwen2/config.json", "config.json"),
            ("model/tiny-qwen2/model.safetensors", "model.safetensors"),
            ("tokenize/unigram/tokenizer.json", "tokenizer.json"),
        ] {
            try FileManager.default.copyItem(atPath: CommandRunner.fixture(source), toPath: model + "/" + name)
        }
        let material = Material(
            work: work, data: data, otherTokenizerModel: model, otherTokenizerCache: work + "/unigram.cache",
            sameTokenizerCache: work + "/gemma.cache")
        try logits([
            [model, data, material.otherTokenizerCache, "--chat-template", teacherTemplate],
            [sameTokenizerModel, data, material.sameTokenizerCache, "--chat-template", targetTemplate],
        ])
        return material
    }

    /// Runs `smelt logits` for each argument list at once; throws unless all succeed.
    static func logits(_ runs: [[String]]) throws {
        let started = try runs.map { try CommandRunner.start(["logits"] + $0 + ["--quiet"]) }
        for (arguments, running) in zip(runs, started) {
            let result = running.wait()
            guard result.status == 0 else {
                throw SetupFailure(description: "smelt logits \(arguments): \(result.standardError)")
            }
        }
    }

    static func write(_ lines: [String], to path: String) throws -> String {
        try TestFiles.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: path)
        return path
    }

    private func fuse(
        _ material: Material, _ output: String, _ options: [String] = [], teachers: [String]? = nil,
        target: String = target, environment: [String: String] = [:]
    ) throws -> CommandResult {
        try CommandRunner.run(
            fuseArguments(material, output, options, teachers: teachers, target: target), environment: environment)
    }

    private func fuseArguments(
        _ material: Material, _ output: String, _ options: [String] = [], teachers: [String]? = nil,
        target: String = target
    ) -> [String] {
        ["fuse", target, material.data, output, "--chat-template", Self.targetTemplate]
            + (teachers ?? material.teachers) + options
    }

    /// Every file of a published folder but `smelt-run.json` (the one file
    /// allowed to differ between runs), by name.
    private func publishedFiles(_ folder: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name != "smelt-run.json" {
            files[name] = try TestFiles.read(folder + "/" + name)
        }
        return files
    }

    private func manifest(_ cache: String) throws -> [String: Any] {
        try CommandRunner.json(String(decoding: try TestFiles.read(cache + "/smelt-cache.json"), as: UTF8.self))
    }

    private func dumpedRecords(_ cache: String) throws -> [[String: Any]] {
        let dump = try CommandRunner.run(["cache", "dump", cache, "--json"])
        try #require(dump.status == 0, "\(dump.standardError)")
        return try dump.standardOutput.split(separator: "\n").map { try CommandRunner.json(String($0)) }
    }

    private func shares(_ teacher: [String: Any]) -> [Double] {
        ["one_to_one_share", "aligned_share", "fallback_share", "dropped_mass"].map { teacher[$0] as? Double ?? -1 }
    }

    @Test func twoTeachersOfTwoTokenizersFuseIntoAVerifiedCacheInTheTargetsTokens() throws {
        let material = try Self.material.get()
        let output = try CommandRunner.temporaryFolder() + "/fused"
        let result = try fuse(material, output, ["--json"])
        try #require(result.status == 0, "\(result.standardError)")
        let summary = try CommandRunner.json(result.standardOutput)
        #expect(summary["records"] as? Int == Self.records.count)
        #expect((summary["target_tokens"] as? Int ?? 0) > 0)
        let teachers = summary["teachers"] as? [[String: Any]] ?? []
        try #require(teachers.count == 2)
        #expect(teachers.map { $0["cache"] as? String } == [material.otherTokenizerCache, material.sameTokenizerCache])
        for teacher in teachers {
            #expect(shares(teacher).allSatisfy { (0...1).contains($0) }, "\(teacher)")
        }
        // The other tokenizer's teacher aligns somewhere but not everywhere.
        #expect((0.0..<1).contains(teachers[0]["one_to_one_share"] as? Double ?? 1))
        #expect((teachers[0]["aligned_share"] as? Double ?? 0) > 0)
        // The target's own tokenizer: every position maps to itself.
        #expect(teachers[1]["one_to_one_share"] as? Double == 1)
        #expect(teachers[1]["aligned_share"] as? Double == 1)
        #expect(teachers[1]["fallback_share"] as? Double == 0)
        // minCE chooses exactly one teacher per record.
        #expect(teachers.map { $0["records_chosen"] as? Int ?? 0 }.reduce(0, +) == Self.records.count)

        let verify = try CommandRunner.run(["cache", "verify", output])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
        let fused = try dumpedRecords(output)
        let own = try dumpedRecords(material.sameTokenizerCache)
        try #require(fused.count == Self.records.count && own.count == Self.records.count)
        for (record, reference) in zip(fused, own) {
            #expect("\(record["id"] ?? "none")" == "\(reference["id"] ?? "")")
            #expect("\(record["ids"] ?? "none")" == "\(reference["ids"] ?? "")", "the target's tokens")
            #expect((record["top_ids"] as? [[Int]])?.allSatisfy { $0.count == 10 } == true)
        }
        let files = (try manifest(output)["files"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(files == ["index.smsp", "records.smsp", "fusion.smsp"])
        let listed = try FileManager.default.contentsOfDirectory(atPath: output).sorted()
        #expect(listed == (Self.cacheFiles + ["smelt-run.json"]).sorted())
    }

    /// Given with a model, a teacher of the target's very tokens (here the
    /// target's own cache) still aligns on the diagonal, template tokens
    /// included: the same fused records and notes as without the model.
    @Test func aTeacherOfTheTargetsTokensGivenWithItsModelFusesAsWithout() throws {
        let material = try Self.material.get()
        let folder = try CommandRunner.temporaryFolder()
        let bare = try fuse(material, folder + "/bare")
        let withModel = try fuse(
            material, folder + "/with-model",
            teachers: [
                "--teacher", material.otherTokenizerTeacher, "--teacher",
                material.sameTokenizerCache + "=" + Self.sameTokenizerModel + "," + Self.targetTemplate,
            ])
        try #require(bare.status == 0 && withModel.status == 0, "\(bare.standardError)\(withModel.standardError)")
        for name in ["index.smsp", "records.smsp", "fusion.smsp"] {
            #expect(
                try TestFiles.read(folder + "/bare/" + name) == TestFiles.read(folder + "/with-model/" + name),
                "\(name)")
        }
    }

    static let settings: [[String]] = ["offsets", "dtw"].flatMap { align in
        ["exact", "edit", "stat"].flatMap { map in
            ["minCE", "avgCE"].map { fusion in ["--align", align, "--map", map, "--fusion", fusion] }
        }
    }

    @Test(arguments: settings)
    func everyAlignmentMapAndFusionMakesAVerifiedCache(options: [String]) throws {
        let material = try Self.material.get()
        let output = try CommandRunner.temporaryFolder() + "/fused"
        let result = try fuse(material, output, options + ["--json"])
        try #require(result.status == 0, "\(options): \(result.standardError)")
        let verify = try CommandRunner.run(["cache", "verify", output])
        #expect(verify.status == 0, "\(options): \(verify.standardOutput)\(verify.standardError)")
        let (align, map, fusion) = (options[1], options[3], options[5])
        let summary = try CommandRunner.json(result.standardOutput)
        #expect(summary["records"] as? Int == Self.records.count)
        #expect([summary["align"], summary["map"], summary["fusion"]].map { $0 as? String } == [align, map, fusion])
        let teachers = summary["teachers"] as? [[String: Any]] ?? []
        try #require(teachers.count == 2)
        for teacher in teachers { #expect(shares(teacher).allSatisfy { (0...1).contains($0) }, "\(teacher)") }
        if fusion == "minCE" {
            #expect(teachers.map { $0["records_chosen"] as? Int ?? 0 }.reduce(0, +) == Self.records.count)
        } else {
            #expect(abs(teachers.map { $0["mean_weight"] as? Double ?? 0 }.reduce(0, +) - 1) < 1e-9)
        }

        let written = try manifest(output)
        let recorded = (written["identity"] as? [String: Any])?["fusion"] as? [String: Any] ?? [:]
        #expect(
            [recorded["align"], recorded["map"], recorded["method"]].map { $0 as? String } == [align, map, fusion])
        #expect(recorded["band"] as? Int == (align == "dtw" ? 128 : nil))
        let files = (written["files"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let mapPath = output + "/vocabulary-map.tsv"
        if map == "stat" {
            #expect(files == ["index.smsp", "records.smsp", "fusion.smsp", "vocabulary-map.tsv"])
            let rows = String(decoding: try TestFiles.read(mapPath), as: UTF8.self).split(separator: "\n")
            #expect(rows.first == "teacher\tteacher_id\ttarget_id\taligned_count")
            // Only the teacher of another tokenizer needs a map.
            #expect(rows.count > 1 && rows.dropFirst().allSatisfy { $0.hasPrefix("0\t") })
        } else {
            #expect(files == ["index.smsp", "records.smsp", "fusion.smsp"])
            #expect(try FileSystem.status(mapPath) == nil)
        }
    }

    @Test(arguments: [
        ["--map", "edit", "--fusion", "avgCE"], ["--align", "dtw", "--map", "stat", "--fusion", "avgCE"],
    ])
    func theSameBytesForAnyThreadsOrBudget(options: [String]) throws {
        let material = try Self.material.get()
        let work = try CommandRunner.temporaryFolder()
        let one = try fuse(material, work + "/one", options + ["--threads", "1", "--quiet"])
        #expect(one.status == 0, "\(one.standardError)")
        // 16M holds 64 records at a time: two batches of the 72.
        let two = try fuse(material, work + "/two", options + ["--threads", "2", "--memory-budget", "16M", "--quiet"])
        #expect(two.status == 0, "\(two.standardError)")
        let reference = try publishedFiles(work + "/one")
        #expect(reference.count >= Self.cacheFiles.count)
        #expect(try publishedFiles(work + "/two") == reference)
    }

    @Test func killedRunsResumeToTheBytesOfAnUninterruptedOne() throws {
        let material = try Self.material.get()
        let work = try CommandRunner.temporaryFolder()
        let options = ["--align", "dtw", "--map", "stat", "--fusion", "avgCE"]
        let reference = try fuse(material, work + "/reference", options + ["--quiet"])
        try #require(reference.status == 0, "\(reference.standardError)")
        let staged = work + "/.fused.smelt-partial/records.smsp"
        let arguments = fuseArguments(material, work + "/fused", options + ["--quiet", "--memory-budget", "16M"])
        var generator = SystemRandomNumberGenerator()
        var killed = 0
        for _ in 0..<12 where killed < 5 {
            let before = (try? FileSystem.status(staged))?.size ?? 0
            let running = try CommandRunner.start(arguments, environment: ["SMELT_DELAY_AT": "fuse.record:40"])
            // Kill at a random moment after this run has added a record.
            for _ in 0..<1_000 where running.process.isRunning {
                if ((try? FileSystem.status(staged))?.size ?? 0) > before { break }
                usleep(10_000)
            }
            usleep(UInt32.random(in: 0...120_000, using: &generator))
            if running.send(SIGKILL) { killed += 1 }
            _ = running.wait()
        }
        #expect(killed >= 5)
        let finished = try fuse(material, work + "/fused", options + ["--threads", "2"])
        #expect(finished.status == 0, "\(finished.standardError)")
        #expect(finished.standardError.contains("resuming:"), "\(finished.standardError)")
        let verify = try CommandRunner.run(["cache", "verify", work + "/fused"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
        #expect(try publishedFiles(work + "/fused") == publishedFiles(work + "/reference"))
    }

    /// Every file of `folder`, `smelt-run.json` included.
    private func allFiles(_ folder: String) throws -> [String: [UInt8]] {
        var files = try publishedFiles(folder)
        files["smelt-run.json"] = try TestFiles.read(folder + "/smelt-run.json")
        return files
    }

    @Test func aFinishedCacheIsKeptAndOtherOptionsAreRefused() throws {
        let material = try Self.material.get()
        let output = try CommandRunner.temporaryFolder() + "/fused"
        #expect(try fuse(material, output, ["--quiet"]).status == 0)
        let before = try allFiles(output)
        let again = try fuse(material, output, ["--quiet"])
        #expect(again.status == 0 && again.standardOutput.contains("already complete"), "\(again.standardOutput)")
        for (options, change) in [
            (["--fusion", "avgCE"], "avgCE"), (["--top-k", "3"], "--top-k was 10, now 3"),
            (["--align", "dtw"], "--align dtw --band 128"),
        ] {
            let other = try fuse(material, output, options + ["--quiet"])
            #expect(other.status == 73, "\(options): \(other.standardError)")
            #expect(other.standardError.contains(change), "\(options): \(other.standardError)")
        }
        let oneTeacher = try fuse(material, output, ["--quiet"], teachers: ["--teacher", material.sameTokenizerCache])
        #expect(oneTeacher.status == 73, "\(oneTeacher.standardError)")
        #expect(try allFiles(output) == before)
    }

    @Test func anotherDTWBandIsAnotherCache() throws {
        let material = try Self.material.get()
        let work = try CommandRunner.temporaryFolder()
        #expect(try fuse(material, work + "/narrow", ["--align", "dtw", "--band", "1", "--quiet"]).status == 0)
        #expect(try fuse(material, work + "/wide", ["--align", "dtw", "--quiet"]).status == 0)
        #expect(try publishedFiles(work + "/narrow")["records.smsp"] != publishedFiles(work + "/wide")["records.smsp"])
        let rerun = try fuse(material, work + "/narrow", ["--align", "dtw", "--quiet"])
        #expect(rerun.status == 73, "\(rerun.standardError)")
        #expect(rerun.standardError.contains("--band 1"), "\(rerun.standardError)")
    }

    @Test func anInterruptedRunResumedWithOtherOptionsIsRefusedNamingTheChange() throws {
        let material = try Self.material.get()
        let work = try CommandRunner.temporaryFolder()
        let staged = work + "/.fused.smelt-partial/records.smsp"
        let running = try CommandRunner.start(
            fuseArguments(material, work + "/fused", ["--quiet"]), environment: ["SMELT_DELAY_AT": "fuse.record:5000"])
        var size: UInt64 = 0
        for _ in 0..<1_000 where size == 0 && running.process.isRunning {
            usleep(10_000)
            size = (try? FileSystem.status(staged))?.size ?? 0
        }
        _ = running.send(SIGKILL)
        _ = running.wait()
        try #require(size > 0, "no record was staged in time")
        let stagedBytes = try TestFiles.read(staged)
        let other = try fuse(material, work + "/fused", ["--fusion", "avgCE", "--quiet"])
        #expect(other.status == 73, "\(other.standardError)")
        #expect(other.standardError.contains("--fusion minCE"), "\(other.standardError)")
        #expect(other.standardError.contains("--fusion avgCE"), "\(other.standardError)")
        let otherK = try fuse(material, work + "/fused", ["--top-k", "3", "--quiet"])
        #expect(
            otherK.status == 73 && otherK.standardError.contains("--top-k was 10, now 3"), "\(otherK.standardError)")
        #expect(try TestFiles.read(staged) == stagedBytes)
        #expect(try FileSystem.status(work + "/fused") == nil)
        let restarted = try fuse(material, work + "/fused", ["--fusion", "avgCE", "--restart", "--quiet"])
        #expect(restarted.status == 0, "\(restarted.standardError)")
        #expect(try CommandRunner.run(["cache", "verify", work + "/fused"]).status == 0)
    }
}
