import Base
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `smelt evolve` end to end on three tiny Llama models (TinyTrio): the
/// candidate's in-process score against `smelt score` of `smelt merge` of
/// its recipe, the published folder, kill and resume, refusals.
@Suite(.serialized) struct EvolveCommandTests {
    static let records = [
        "The quick brown fox jumps over the lazy dog.",
        "A merge of two experts keeps what each knows.",
        "Seven times six is forty-two, and six times seven is too.",
        "Small machines can run large models out of core.",
        "Every evaluation is kept in the journal until the search ends.",
        "Rain in the valley, snow on the hills.",
    ]

    /// A trio, a data file and a search file in a fresh folder.
    private func workspace(granularity: Int = 1, method: String = "ties") throws -> String {
        let work = try TestFiles.temporaryFolder()
        try TinyTrio.make(in: work)
        let lines = Self.records.enumerated().map { "{\"id\": \($0), \"text\": \(JSONOutput.quoted($1))}" }
        try TestFiles.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: work + "/fit.jsonl")
        let search = """
            genome:
              models: [expert-a, expert-b]
              base_model: base
              merge_method: \(method)
              layer_granularity: \(granularity)
            fitness:
              metric: mean_nll
              data:
                - path: fit.jsonl
                  weight: 1.0

            """
        try TestFiles.write(Array(search.utf8), to: work + "/search.yml")
        return work
    }

    private func evolve(
        _ work: String, _ out: String, _ options: [String] = [], environment: [String: String] = [:]
    ) throws -> CommandResult {
        try CommandRunner.run(
            ["evolve", work + "/search.yml", out, "--max-evals", "8", "--population", "4", "--json"] + options,
            environment: environment)
    }

    /// The JSON object a command printed last.
    private func lastJSON(_ output: String) throws -> [String: Any] {
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// Rows of evolve-history.csv without the seconds column.
    private func history(_ out: String) throws -> [String] {
        let text = String(decoding: try TestFiles.read(out + "/evolve-history.csv"), as: UTF8.self)
        return text.split(separator: "\n").map { line in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if fields.count > 3 { fields.remove(at: 3) }
            return fields.joined(separator: ",")
        }
    }

    @Test func theBestCandidateScoresWhatSmeltScoreOfItsMergeReports() throws {
        let work = try workspace()
        let result = try evolve(work, work + "/out")
        #expect(result.status == 0, "\(result.standardError)")
        let report = try lastJSON(result.standardOutput)
        let best = try #require(report["best"] as? [String: Any])
        let fitness = try #require(best["fitness"] as? Double)
        #expect(report["evaluations"] as? Int == 8)

        let merged = try CommandRunner.run(["merge", work + "/out/recipe.yml", work + "/merged", "--quiet"])
        #expect(merged.status == 0, "\(merged.standardError)")
        for file in ["model.safetensors", "config.json", "mergekit_config.yml", "smelt-manifest.json"] {
            #expect(
                try TestFiles.read(work + "/merged/" + file) == TestFiles.read(work + "/out/model/" + file),
                "\(file) differs from smelt merge of recipe.yml")
        }
        let scored = try CommandRunner.run(["score", work + "/merged", work + "/fit.jsonl", "--json"])
        #expect(scored.status == 0, "\(scored.standardError)")
        let summary = try #require(try lastJSON(scored.standardOutput)["summary"] as? [String: Any])
        // The summary prints 6 decimals; EvolveTests' CandidateEvaluatorTests compare all the bits.
        let printed = try #require(summary["mean_nll"] as? Double)
        #expect(abs(printed - fitness) <= 5e-7, "smelt score says \(printed), evolve \(fitness)")

        let rows = try history(work + "/out")
        #expect(rows.count == 9)
        #expect(rows[0].hasPrefix("generation,evaluation,fitness,"))
        let svg = String(decoding: try TestFiles.read(work + "/out/evolve-progress.svg"), as: UTF8.self)
        #expect(svg.hasPrefix("<svg") && svg.contains("<polyline") && svg.hasSuffix("</svg>\n"))
        let recipe = String(decoding: try TestFiles.read(work + "/out/recipe.yml"), as: UTF8.self)
        #expect(recipe.contains(work + "/expert-a") && recipe.contains("layer_range"))
    }

    @Test func threadsAndBudgetChangeNoEvaluation() throws {
        let work = try workspace()
        #expect(try evolve(work, work + "/one", ["--threads", "1"]).status == 0)
        let tight = try evolve(work, work + "/two", ["--threads", "2", "--memory-budget", "24M"])
        #expect(tight.status == 0, "\(tight.standardError)")
        #expect(try history(work + "/one") == history(work + "/two"))
    }

    @Test func killedRunsResumeToTheResultOfAnUninterruptedOne() throws {
        let work = try workspace()
        #expect(try evolve(work, work + "/reference").status == 0)
        var generator = SystemRandomNumberGenerator()
        var killed = 0
        for _ in 0..<5 {
            let running = try CommandRunner.start(
                ["evolve", work + "/search.yml", work + "/out", "--max-evals", "8", "--population", "4", "--quiet"],
                environment: ["SMELT_DELAY_AT": "evolve.evaluation:100"])
            usleep(UInt32.random(in: 100_000...600_000, using: &generator))
            if running.send(SIGKILL) { killed += 1 }
            _ = running.wait()
        }
        #expect(killed > 0)
        let finished = try evolve(work, work + "/out")
        #expect(finished.status == 0, "\(finished.standardError)")
        #expect(try history(work + "/out") == history(work + "/reference"))
        #expect(try TestFiles.read(work + "/out/recipe.yml") == TestFiles.read(work + "/reference/recipe.yml"))
        #expect(
            try TestFiles.read(work + "/out/model/model.safetensors")
                == TestFiles.read(work + "/reference/model/model.safetensors"))
    }

    @Test func aResumeWithAnotherSeedIsRefused() throws {
        let work = try workspace()
        let stopped = try CommandRunner.start(
            ["evolve", work + "/search.yml", work + "/out", "--max-evals", "8", "--population", "4", "--quiet"],
            environment: ["SMELT_DELAY_AT": "evolve.evaluation:2000"])
        usleep(1_500_000)
        _ = stopped.send(SIGKILL)
        _ = stopped.wait()
        let other = try evolve(work, work + "/out", ["--seed", "7"])
        #expect(other.status == 73, "\(other.standardError)")
        #expect(other.standardError.contains("seed"), "\(other.standardError)")
        #expect(try evolve(work, work + "/out", ["--seed", "7", "--restart"]).status == 0)
    }

    @Test(arguments: [
        ("data:\n    - path: missing.jsonl", "", 66, "missing.jsonl"),
        ("data:\n    - path: empty.jsonl", "", 65, "holds no records"),
        ("max_tokens: 3\n  data:\n    - path: fit.jsonl", "", 65, "max_tokens 3"),
        ("data:\n    - path: empty.jsonl", "{\"text\": \"fine\"}\nnot json\n", 65, "empty.jsonl:2"),
    ])
    func badFitnessDataIsRefused(fitness: String, dataFile: String, status: Int32, message: String) throws {
        let work = try workspace()
        try TestFiles.write(Array(dataFile.utf8), to: work + "/empty.jsonl")
        let search = """
            genome:
              models: [expert-a, expert-b]
              base_model: base
              merge_method: ties
            fitness:
              \(fitness)

            """
        try TestFiles.write(Array(search.utf8), to: work + "/search.yml")
        let result = try evolve(work, work + "/out")
        #expect(result.status == status, "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
        #expect(try FileSystem.status(work + "/out") == nil)
    }

    @Test func anExistingOutIsRefusedAndLeftAlone() throws {
        let work = try workspace()
        try FileSystem.createDirectory(work + "/out")
        try TestFiles.write(Array("mine".utf8), to: work + "/out/notes.txt")
        let result = try evolve(work, work + "/out")
        #expect(result.status == 73, "\(result.standardError)")
        #expect(try TestFiles.read(work + "/out/notes.txt") == Array("mine".utf8))
    }

    @Test(arguments: [
        ("genome:\n  models: [a]\n  merge_method: ties\nfitness:\n  data: []\n", "search.yml:"),
        ("genome: [1, 2]\n", "search.yml:1:"),
        ("tasks: [gsm8k]\n", "search.yml:1:1"),
        ("genome:\n  models: [a]\n  merge_method: slerp\nfitness:\n  data: [fit.jsonl]\n", "search.yml:3:"),
    ])
    func badSearchFilesAreRefusedWithLineAndColumn(text: String, place: String) throws {
        let work = try TestFiles.temporaryFolder()
        try TestFiles.write(Array(text.utf8), to: work + "/search.yml")
        let result = try CommandRunner.run(["evolve", work + "/search.yml", work + "/out"])
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains(place), "\(result.standardError)")
        #expect(try FileSystem.status(work + "/out") == nil)
    }

    @Test(arguments: [
        ["--max-evals", "0"], ["--population", "1"], ["--sigma0", "0"], ["--sigma0", "x"], ["--seed", "-1"],
        ["--memory-budget", "1K"],
    ])
    func badOptionsAreRefused(options: [String]) throws {
        let work = try workspace()
        let result = try evolve(work, work + "/out", options)
        #expect(result.status == 64, "\(result.standardError)")
        #expect(try FileSystem.status(work + "/out") == nil)
    }
}
