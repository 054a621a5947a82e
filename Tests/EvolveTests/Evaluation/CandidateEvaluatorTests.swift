import Base
import Merge
import Model
import Testing
import TestSupport
import Tokenize

@testable import Evolve

/// A candidate scored in process equals, to the bit, the score of the merge
/// that `smelt merge` writes for its recipe, summed as `smelt score` sums it;
/// threads and the memory budget change nothing.
@Suite(.serialized) struct CandidateEvaluatorTests {
    static let texts = [
        "The quick brown fox jumps over the lazy dog.",
        "A merge of two experts keeps what each knows.",
        "Seven times six is forty-two, and six times seven is too.",
        "Small machines can run large models out of core.",
    ]

    struct Setup {
        let work: String
        let genome: Genome
        let data: FitnessData
    }

    private func setup() throws -> Setup {
        let work = try TestFiles.temporaryFolder()
        try TinyTrio.make(in: work)
        let lines = Self.texts.enumerated().map { "{\"id\": \($0), \"text\": \(JSONOutput.quoted($1))}" }
        try TestFiles.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: work + "/fit.jsonl")
        let tokenizer = try Tokenizer(json: try TestFiles.read(work + "/base/tokenizer.json"), file: "tokenizer.json")
        let encoder = RecordEncoder(tokenizer: tokenizer, config: TokenizerConfig(), chatTemplate: nil, origin: work)
        let data = try FitnessData(
            sets: [(work + "/fit.jsonl", 1)], maxTokens: nil, encoder: encoder, maxRecordTokens: 256, threads: 2)
        let definition = GenomeDefinition(
            models: [work + "/expert-a", work + "/expert-b"], baseModel: work + "/base", mergeMethod: "ties",
            layerGranularity: 1)
        return Setup(work: work, genome: try Genome(definition: definition, layerCount: 3), data: data)
    }

    /// What `smelt score` of the written merge of `recipe` reports as its mean NLL.
    private func scoreOfWrittenMerge(_ recipe: String, setup: Setup, name: String) throws -> Double {
        let recipePath = setup.work + "/\(name).yml"
        try TestFiles.write(Array(recipe.utf8), to: recipePath)
        _ = try MergeRun.run(
            recipePath: recipePath, outputPath: setup.work + "/" + name, options: MergeOptions(threads: 2),
            dryRun: false)
        let model = try LanguageModel.open(path: setup.work + "/" + name)
        let records = setup.data.sets[0].records
        let scores = try model.score(
            records.map(\.ids), topK: 5, threads: 2, budget: ByteBudget(limitBytes: 1 << 30))
        var total = 0.0
        var lossCount = 0
        for (record, score) in zip(records, scores) {
            total += record.negativeLogLikelihood(score)
            lossCount += record.lossCount
        }
        return total / Double(lossCount)
    }

    @Test func aCandidateScoresWhatItsWrittenMergeScores() throws {
        let setup = try setup()
        let values = (0..<setup.genome.dimension).map { 0.2 + 0.6 * Double(($0 * 7) % 11) / 10 }
        let recipe = try setup.genome.recipe(values)
        let evaluator = CandidateEvaluator(data: setup.data, threads: 2, budgetBytes: 1 << 30, spillFolder: nil)
        let score = try evaluator.evaluate(recipe: recipe, file: "candidate")
        #expect(score.fitness == (try scoreOfWrittenMerge(recipe, setup: setup, name: "merged")))
        #expect(score.meanNegativeLogLikelihoods == [score.fitness])
        // Each of the 30 tensors merged once: the cache held them all.
        #expect(score.mergedTensorCount == 30)
    }

    @Test func threadsAndATightBudgetChangeNoBit() throws {
        let setup = try setup()
        let recipe = try setup.genome.recipe(setup.genome.initialValues())
        let roomy = try CandidateEvaluator(data: setup.data, threads: 2, budgetBytes: 1 << 30, spillFolder: nil)
            .evaluate(recipe: recipe, file: "candidate")
        let single = try CandidateEvaluator(data: setup.data, threads: 1, budgetBytes: 1 << 30, spillFolder: nil)
            .evaluate(recipe: recipe, file: "candidate")
        #expect(single.fitness == roomy.fitness)
        // Room for the forward pass, the merge's buffers and little more:
        // the cache drops tensors and merges them again, to the same bits.
        var needed: UInt64 = 0
        do {
            _ = try CandidateEvaluator(data: setup.data, threads: 2, budgetBytes: 1 << 20, spillFolder: nil)
                .evaluate(recipe: recipe, file: "candidate")
        } catch EvolveRunError.budgetTooSmall(let bytes, _) {
            needed = bytes
        }
        // The cache holds the largest tensor (192 KiB) and 100 kB more, of the 560 KiB merged.
        let tight = CandidateEvaluator(
            data: setup.data, threads: 2, budgetBytes: needed + 100_000, spillFolder: nil)
        let tightScore = try tight.evaluate(recipe: recipe, file: "candidate")
        #expect(tightScore.fitness == roomy.fitness)
        #expect(tightScore.mergedTensorCount > roomy.mergedTensorCount)
    }

    @Test func aBudgetTooSmallForOneCandidateIsRefused() throws {
        let setup = try setup()
        let recipe = try setup.genome.recipe(setup.genome.initialValues())
        let evaluator = CandidateEvaluator(data: setup.data, threads: 2, budgetBytes: 4 << 20, spillFolder: nil)
        #expect(throws: EvolveRunError.self) { try evaluator.evaluate(recipe: recipe, file: "candidate") }
    }

    @Test func maxTokensTakesRecordsFromTheSetsInTurn() throws {
        let make = { (count: Int) in
            (0..<count).map { _ in RecordTokens(ids: Array(0..<10), lossMask: Array(repeating: true, count: 9)) }
        }
        let capped = FitnessData.capped([make(3), make(2)], maxTokens: 35)
        #expect(capped.map(\.count) == [2, 1])
        #expect(FitnessData.capped([make(3), make(2)], maxTokens: 1_000).map(\.count) == [3, 2])
        #expect(FitnessData.capped([make(3)], maxTokens: 5).map(\.count) == [0])
    }
}
