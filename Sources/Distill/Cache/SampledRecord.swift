/// The sampled targets of one position (random-sampling distillation,
/// arXiv 2503.16870, section 3): the distinct ids among N draws from the
/// teacher's distribution, how often each was drawn, and the teacher's
/// log-probability of each. Entries are stored in the order given.
public struct SampledPosition<Value: Sendable & Equatable>: Sendable, Equatable {
    /// Distinct token ids.
    public var ids: [Int32]
    /// How often each id was drawn (each at least 1; they sum to N).
    public var counts: [UInt16]
    /// Natural-log probabilities of `ids` under the teacher (≤ 0).
    public var logProbabilities: [Value]

    /// A position from its entries, as given.
    public init(ids: [Int32], counts: [UInt16], logProbabilities: [Value]) {
        self.ids = ids
        self.counts = counts
        self.logProbabilities = logProbabilities
    }
}

/// One record of sampled targets: the record's tokens and loss mask, the
/// gold token's log-probability and the log-sum-exp per position, and each
/// position's draws. `Value` is `Double` going into the encoder and `Float`
/// (the quantised values) coming out of the decoder.
public struct SampledRecord<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The record's `n` token ids.
    public var ids: [Int32]
    /// `n − 1` flags: whether position `i` counts in the loss.
    public var lossMask: [Bool]
    /// `n − 1` values: log p(ids[i + 1] | ids[...i]).
    public var goldLogProbabilities: [Value]
    /// `n` log-sum-exps of the logits.
    public var logSumExps: [Value]
    /// `n` positions of draws.
    public var positions: [SampledPosition<Value>]

    /// A record from its fields, as given.
    public init(
        ids: [Int32], lossMask: [Bool], goldLogProbabilities: [Value], logSumExps: [Value],
        positions: [SampledPosition<Value>]
    ) {
        self.ids = ids
        self.lossMask = lossMask
        self.goldLogProbabilities = goldLogProbabilities
        self.logSumExps = logSumExps
        self.positions = positions
    }
}
