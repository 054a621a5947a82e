/// One record of the cache as decoded: values are the quantised ones
/// (each within `LogitCodec.maximumError` of what was encoded).
public struct CachedRecord: Sendable, Equatable {
    /// The record's `n` token ids.
    public var ids: [Int32]
    /// `n − 1` flags: whether position `i`, which predicts `ids[i + 1]`, counts in the loss.
    public var lossMask: [Bool]
    /// K, the entries per position (0 allowed).
    public var topK: Int
    /// `n × K` ids, row-major, best first per position.
    public var topIDs: [Int32]
    /// `n × K` natural-log probabilities matching `topIDs` (≤ 0).
    public var topLogProbabilities: [Float]
    /// `n − 1` values: log p(ids[i + 1] | ids[...i]).
    public var goldLogProbabilities: [Float]
    /// `n` log-sum-exps of the logits, one per position.
    public var logSumExps: [Float]

    /// A record from its fields, as given.
    public init(
        ids: [Int32], lossMask: [Bool], topK: Int, topIDs: [Int32], topLogProbabilities: [Float],
        goldLogProbabilities: [Float], logSumExps: [Float]
    ) {
        self.ids = ids
        self.lossMask = lossMask
        self.topK = topK
        self.topIDs = topIDs
        self.topLogProbabilities = topLogProbabilities
        self.goldLogProbabilities = goldLogProbabilities
        self.logSumExps = logSumExps
    }
}
