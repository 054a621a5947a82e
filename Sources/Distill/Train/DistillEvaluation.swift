import Base
import Model

/// `--eval DATA.jsonl`: the held-out records scored with the weights being
/// trained, by the inference engine (`LanguageModel`, as `smelt score`
/// does): the mean cross-entropy of the gold tokens over every loss
/// position of every record (token-weighted). Each record's scores depend
/// on the weights and that record alone, so the value does not depend on
/// threads or batching, and a resumed run logs the same numbers.
public struct DistillEvaluation: Sendable {
    /// The most tokens of one forward batch, as `smelt score` takes them.
    static let maximumBatchTokenCount = 8_192

    public let records: [DistillData.Record]
    public let threads: Int
    public let budget: ByteBudget

    /// Refuses records with no loss position among them (nothing to average).
    public init(records: [DistillData.Record], data: String, threads: Int, budget: ByteBudget) throws(DistillError) {
        guard records.contains(where: { $0.tokens.lossCount > 0 }) else { throw .noLossPositions(data: data) }
        self.records = records
        self.threads = threads
        self.budget = budget
    }

    /// The mean cross-entropy (nats per loss token) of `records` under the
    /// weights of `source`, scored in forward batches that fit `budget`.
    public static func meanLoss(
        config: ModelConfig, source: any LayerWeightSource, records: [DistillData.Record], threads: Int,
        budget: ByteBudget
    ) throws -> Double {
        let model = try LanguageModel(config: config, source: source)
        let fixed = model.fixedBytes(threads: threads)
        let free = budget.limitBytes > fixed ? budget.limitBytes - fixed : 0
        let tokenLimit = max(1, min(maximumBatchTokenCount, Int(free / model.bytesPerToken(topK: 0))))
        var negativeLogLikelihood = 0.0
        var lossTokens = 0
        var start = 0
        while start < records.count {
            var end = start + 1
            var tokens = records[start].tokens.ids.count
            while end < records.count && tokens + records[end].tokens.ids.count <= tokenLimit {
                tokens += records[end].tokens.ids.count
                end += 1
            }
            let batch = records[start..<end]
            let scores = try model.score(batch.map(\.tokens.ids), topK: 0, threads: threads, budget: budget)
            for (record, score) in zip(batch, scores) {
                negativeLogLikelihood += record.tokens.negativeLogLikelihood(score)
                lossTokens += record.tokens.lossCount
            }
            start = end
        }
        return lossTokens > 0 ? negativeLogLikelihood / Double(lossTokens) : 0
    }

    /// The mean cross-entropy of the records under `parameters`, every
    /// tensor of `config`'s model (LoRA runs give the merged weights).
    public func meanLoss(config: ModelConfig, parameters: [String: [Float]]) throws -> Double {
        let source = ParameterWeightSource(
            name: "the trained weights", tensors: parameters, shapes: TrainableModel.parameterShapes(config))
        return try Self.meanLoss(config: config, source: source, records: records, threads: threads, budget: budget)
    }
}
