import Base
import Checkpoint
import Merge
import Model

/// What one candidate scored: the fitness (the weighted mean of the data
/// sets' mean negative log-likelihoods; lower is better) and each set's.
public struct CandidateScore: Sendable, Equatable {
    public let fitness: Double
    public let meanNegativeLogLikelihoods: [Double]
    /// Tensors merged to score it (more than the model's when the cache
    /// had to drop some between forward batches).
    public let mergedTensorCount: Int
}

/// Scores candidate merges in process: the recipe is planned as `smelt
/// merge` plans it, and the forward pass of `smelt score` runs on weights
/// merged tensor by tensor as it reaches them (`MergedWeightSource`),
/// never written out. A set's mean NLL is summed exactly as `smelt score`
/// sums its total, so a candidate scores what `smelt score` of `smelt
/// merge` of its recipe reports, to the bit.
public struct CandidateEvaluator: Sendable {
    public let data: FitnessData
    public let threads: Int
    public let budgetBytes: UInt64
    /// Where reduction passes spill sums too large for memory.
    public let spillFolder: String?

    public init(data: FitnessData, threads: Int, budgetBytes: UInt64, spillFolder: String?) {
        self.data = data
        self.threads = max(1, threads)
        self.budgetBytes = budgetBytes
        self.spillFolder = spillFolder
    }

    /// Plans and scores the recipe `text` (named `file` in messages).
    public func evaluate(recipe text: String, file: String) throws -> CandidateScore {
        let recipe = try Recipe(yaml: Array(text.utf8), file: file)
        let plan = try Planner.plan(recipe, settings: PlanSettings())
        guard let configBytes = plan.config else { throw EvolveRunError.missingConfig(model: file) }
        let config = try ModelConfig(json: configBytes, file: file + " (config.json)")
        let shares = try BudgetShares(
            plan: plan, config: config, data: data, threads: threads, budgetBytes: budgetBytes)
        let merger = TensorMerger(
            plan: plan, threads: threads, budget: ByteBudget(limitBytes: shares.mergeBytes), spillFolder: spillFolder)
        let source = MergedWeightSource(name: file, merger: merger, cacheLimitBytes: shares.cacheBytes)
        let model = try LanguageModel(config: config, source: source)
        let budget = ByteBudget(limitBytes: shares.forwardBytes)
        var means: [Double] = []
        for set in data.sets {
            var total = 0.0
            var lossCount = 0
            for batch in Self.batches(set.records, tokenLimit: shares.batchTokenCount) {
                let scores = try model.score(batch.map(\.ids), topK: 0, threads: threads, budget: budget)
                for (record, score) in zip(batch, scores) {
                    total += record.negativeLogLikelihood(score)
                    lossCount += record.lossCount
                }
            }
            // A set without loss positions counts as 0, as `smelt score` has no mean for it.
            means.append(lossCount > 0 ? total / Double(lossCount) : 0)
        }
        let weightSum = data.sets.reduce(0) { $0 + $1.weight }
        let weighted = zip(data.sets, means).reduce(0) { $0 + $1.0.weight * $1.1 }
        return CandidateScore(
            fitness: weighted / weightSum, meanNegativeLogLikelihoods: means,
            mergedTensorCount: source.mergedTensorCount)
    }

    /// Consecutive records in forward batches of at most `tokenLimit` tokens
    /// (a longer record alone). Batching changes no record's numbers.
    static func batches(_ records: [RecordTokens], tokenLimit: Int) -> [[RecordTokens]] {
        var batches: [[RecordTokens]] = []
        var current: [RecordTokens] = []
        var tokens = 0
        for record in records {
            if !current.isEmpty && tokens + record.ids.count > tokenLimit {
                batches.append(current)
                current = []
                tokens = 0
            }
            current.append(record)
            tokens += record.ids.count
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}

/// How an evaluation divides its memory budget: the forward pass (fixed
/// buffers and a batch of tokens), the merge's buffers, and the cache of
/// merged tensors, which must hold at least the largest one.
struct BudgetShares {
    let forwardBytes: UInt64
    let batchTokenCount: Int
    let mergeBytes: UInt64
    let cacheBytes: UInt64

    init(plan: MergePlan, config: ModelConfig, data: FitnessData, threads: Int, budgetBytes: UInt64) throws {
        let model = try LanguageModel(config: config, source: ShapeOnlySource(plan: plan))
        let fixed = model.fixedBytes(threads: threads)
        let perToken = model.bytesPerToken(topK: 0)
        let longest = UInt64(data.sets.flatMap { $0.records.map(\.ids.count) }.max() ?? 1)
        let largest = plan.tensors.map(\.byteCount).max() ?? 0
        // The least that works: a batch of the longest record, the merge's
        // smallest buffers, a cache of the largest tensor.
        let least = fixed + longest * perToken + largest
        let needed = max(least + (16 << 20), least * 8 / 7 + 1)
        mergeBytes = max(16 << 20, budgetBytes / 8)
        guard budgetBytes >= needed, budgetBytes - mergeBytes >= least else {
            throw EvolveRunError.budgetTooSmall(neededBytes: needed, limitBytes: budgetBytes)
        }
        // The forward pass takes up to half of the rest, leaving the cache at
        // least the largest tensor; more tokens per batch only save time.
        let available = budgetBytes - mergeBytes
        let forwardRoom = max(fixed + longest * perToken, min(available / 2, available - largest))
        let tokens = min(8_192, UInt64(data.tokenCount), (forwardRoom - fixed) / perToken)
        batchTokenCount = Int(max(longest, tokens))
        forwardBytes = fixed + UInt64(batchTokenCount) * perToken
        cacheBytes = available - forwardBytes
    }
}

/// A plan's tensor shapes, for sizing a model's buffers before any merge.
private final class ShapeOnlySource: LayerWeightSource {
    let name: String
    let shapes: [String: [Int]]

    init(plan: MergePlan) {
        name = plan.recipe.file
        shapes = Dictionary(
            plan.tensors.map { ($0.name, $0.shape.map { Int($0) }) }, uniquingKeysWith: { first, _ in first })
    }

    func shape(of tensor: String) -> [Int]? { shapes[tensor] }

    func decode(_ tensor: String, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        throw ModelError.missingTensor(model: name, tensor: tensor)
    }
}
