/// What a distillation run does besides its inputs: the options of
/// `smelt distill` that change the weights it writes.
public struct DistillSettings: Sendable, Equatable {
    /// λ of `λ·CE + (1 − λ)·fusion`; 1 without targets.
    public var lambda = 0.9
    public var learningRate = 1e-5
    /// Optimizer steps; nil: `epochs` passes over the data.
    public var steps: Int?
    public var epochs = 1
    /// Tokens an optimizer step gathers, whole records at a time.
    public var batchTokens = 4_096
    /// Tokens of one forward and backward pass when a step's records run
    /// as several (gradient accumulation, whole records); nil: one pass.
    public var microBatchTokens: Int?
    public var warmupSteps = 0
    public var weightDecay = 0.1
    /// LoRA rank; nil: full fine-tuning.
    public var loraRank: Int?
    public var loraAlpha: Double?
    public var seed: UInt64 = 0
    /// Steps between checkpoints.
    public var checkpointSteps = 50
    /// Global gradient norm clipped to.
    public var maximumGradientNorm = 1.0
    /// Steps between evaluations of the `--eval` data (and after the
    /// last); nil: no evaluation.
    public var evaluationSteps: Int?
    /// OUT holds the LoRA adapters alone, in PEFT's format, instead of merged weights.
    public var savesAdapter = false

    public init() {}

    /// The settings as `--option value` pairs, in a fixed order: what a
    /// resumed run must repeat (a changed one is named when it does not).
    public var options: [(name: String, value: String)] {
        var pairs: [(String, String)] = [
            ("--lambda", "\(lambda)"), ("--lr", "\(learningRate)"),
            (steps == nil ? "--epochs" : "--steps", "\(steps ?? epochs)"), ("--batch-tokens", "\(batchTokens)"),
            ("--warmup", "\(warmupSteps)"), ("--weight-decay", "\(weightDecay)"), ("--seed", "\(seed)"),
            ("--checkpoint-steps", "\(checkpointSteps)"),
        ]
        if let loraRank { pairs += [("--lora-rank", "\(loraRank)"), ("--lora-alpha", "\(loraAlpha ?? 0)")] }
        if let evaluationSteps { pairs.append(("--eval-steps", "\(evaluationSteps)")) }
        if let microBatchTokens { pairs.append(("--micro-batch-tokens", "\(microBatchTokens)")) }
        if savesAdapter { pairs.append(("--save-adapter", "yes")) }
        return pairs
    }
}
