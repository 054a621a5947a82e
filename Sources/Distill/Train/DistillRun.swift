import Base
import Checkpoint
import Model

/// One optimizer step as it was taken: a row of `train-log.csv`.
public struct DistillStep: Sendable {
    public let step: Int
    public let totalSteps: Int
    public let loss: TrainingPassResult
    public let learningRate: Double
    public let gradientNorm: Double
    public let tokens: Int
    public let tokensPerSecond: Double
    /// The `--eval` data's mean cross-entropy after this step, when one was due.
    public internal(set) var evaluationLoss: Double? = nil
}

/// What a finished run did.
public struct DistillSummary: Sendable {
    public var steps = 0
    /// Steps an earlier, interrupted run had done and this one took from its checkpoint.
    public var resumedSteps = 0
    public var tokens = 0
    public var firstLoss: Double?
    public var lastLoss: Double?
    /// The last `--eval` loss this run computed (one follows the last step).
    public var lastEvaluationLoss: Double?
    public var manifest: Manifest?
    /// OUT was there already, published by a run of the same identity (nothing was trained).
    public var isAlreadyComplete = false
}

/// `smelt distill` as a library call (issue 19): trains the student on
/// DATA's records in file order, a step of about `batchTokens` tokens at a
/// time (gradients over the step's records together, as one batch), with
/// AdamW under a cosine schedule and the gradient clipped by global norm;
/// on gold tokens alone (λ = 1) or with the cache's top-K or sampled draws
/// as targets. Every `checkpointSteps` steps the state goes to the staging
/// folder, so a rerun of the same command resumes there and ends with the
/// same bytes; with `evaluation`, held-out records are scored on the way.
/// OUT is published as a Hugging Face folder of Float32 weights (LoRA
/// merged) or of PEFT adapters (`DistillRun+Output`).
public final class DistillRun {
    public static let identityName = ".distill-identity.txt"
    public static let logName = "train-log.csv"
    public static let logHeader = "step,loss,ce,fusion,lr,grad_norm,tokens_per_second\n"

    let student: LanguageModel
    let data: DistillData
    let settings: DistillSettings
    /// What the run is a function of, as `name value` lines: inputs' digests and settings.
    let identity: [(name: String, value: String)]
    let outputPath: String
    /// Files written beside the weights (config, tokenizer).
    let extraFiles: [(name: String, bytes: [UInt8])]
    let threads: Int
    let budget: ByteBudget
    /// Whether the optimizer's state goes to files; nil: when it would take
    /// more than half the budget.
    let stateOnDisk: Bool?
    /// The `--eval` records, scored every `settings.evaluationSteps` steps.
    public var evaluation: DistillEvaluation?

    /// `threads`, `budget` and `stateOnDisk` change how fast and in how
    /// much memory the run goes, never the bytes it writes.
    public init(
        student: LanguageModel, data: DistillData, settings: DistillSettings,
        identity: [(name: String, value: String)], outputPath: String, extraFiles: [(name: String, bytes: [UInt8])],
        threads: Int = 1, budget: ByteBudget = ByteBudget(limitBytes: .max), stateOnDisk: Bool? = nil
    ) {
        self.stateOnDisk = stateOnDisk
        self.student = student
        self.data = data
        self.settings = settings
        self.identity = identity
        self.outputPath = outputPath
        self.extraFiles = extraFiles
        self.threads = threads
        self.budget = budget
    }

    var identityText: String { identity.map { "\($0.name) \($0.value)\n" }.joined() }

    /// Trains and publishes OUT; `progress` hears of every step.
    public func run(restart: Bool, progress: (DistillStep) -> Void = { _ in }) throws -> DistillSummary {
        if try FileSystem.status(outputPath) != nil { throw DistillError.outputExists(path: outputPath) }
        var summary = DistillSummary()
        let (store, logRows) = try train(restart: restart, summary: &summary, progress: progress)
        summary.manifest = try publish(store, logRows: logRows)
        return summary
    }

    /// What is trained, in a fixed order: the model's parameters, or the
    /// LoRA adapters.
    private var trainedTensors: [(name: String, shape: [Int])] {
        let config = student.config
        guard let rank = settings.loraRank else { return TrainableModel.parameterShapes(config) }
        return LoRAAdapters.shapes(config, rank: rank)
    }

    /// The store of the trained tensors, in the staging folder when its four
    /// arrays would take more than half the budget (or `stateOnDisk` says
    /// so); its values are the student's, or fresh adapters.
    private func makeStore(work: String) throws -> ParameterStore {
        let tensors = trainedTensors
        let count = tensors.reduce(0) { $0 + $1.shape.reduce(1, *) }
        let outOfCore = stateOnDisk ?? (ParameterStore.bytes(elementCount: count) > budget.limitBytes / 2)
        let store = try ParameterStore(
            name: "trained weights", tensors: tensors, folder: outOfCore ? work : nil, threads: threads,
            budget: budget)
        if let rank = settings.loraRank {
            let adapters = try LoRAAdapters.initial(
                config: student.config, rank: rank, alpha: loraAlpha, seed: settings.seed)
            for (name, _) in tensors {
                // checked: `initial` makes every adapter `shapes` lists
                let values = adapters.parameters[name]!
                try values.withUnsafeBufferPointer { try store.write(.values, name, elements: 0..<values.count, $0) }
            }
        } else {
            var values = [Float]()
            for (name, shape) in tensors {
                let count = shape.reduce(1, *)
                for start in stride(from: 0, to: count, by: 1 << 22) {
                    let range = start..<min(count, start + (1 << 22))
                    values = [Float](repeating: 0, count: range.count)
                    try values.withUnsafeMutableBufferPointer {
                        try student.source.decode(name, elements: range, into: $0)
                    }
                    try values.withUnsafeBufferPointer { try store.write(.values, name, elements: range, $0) }
                }
            }
        }
        return store
    }

    private var loraAlpha: Double { settings.loraAlpha ?? Double(settings.loraRank ?? 1) }

    /// The weights being trained: the store's, or the student's with the
    /// store's adapters merged in.
    func weights(_ store: ParameterStore) throws -> any LayerWeightSource {
        guard let adapters = try adapters(store) else { return store }
        return AdaptedWeightSource(base: student.source, adapters: adapters)
    }

    /// The adapters as the store holds them now.
    func adapters(_ store: ParameterStore) throws -> LoRAAdapters? {
        guard let rank = settings.loraRank else { return nil }
        var parameters: [String: [Float]] = [:]
        for (name, _) in store.tensors { parameters[name] = try store.values(of: name) }
        return try LoRAAdapters(config: student.config, rank: rank, alpha: loraAlpha, parameters: parameters)
    }

    private func train(
        restart: Bool, summary: inout DistillSummary, progress: (DistillStep) -> Void
    ) throws -> (store: ParameterStore, logRows: String) {
        // checked: created when missing, so claim returns a folder
        let staging = try StagingFolder.claim(outputPath: outputPath, creating: true)!
        let work = staging.workPath
        try claimIdentity(staging, restart: restart)
        let identityDigest = XXH3.digest(Array(identityText.utf8))
        let store = try makeStore(work: work)
        var optimizer = AdamW(
            learningRate: settings.learningRate, beta1: 0.9, beta2: 0.95, weightDecay: settings.weightDecay)
        var logRows = ""
        var firstStep = 0
        if let checkpoint = try DistillCheckpoint.read(folder: work, into: store) {
            guard checkpoint.identityDigest == identityDigest else {
                throw DistillError.damagedCheckpoint(path: staging.path, problem: "it is another run's")
            }
            optimizer.restore(stepCount: checkpoint.optimizerSteps)
            logRows = checkpoint.logRows
            firstStep = checkpoint.step
            summary.resumedSteps = firstStep
        }
        let tokenCounts = data.records.map(\.tokens.ids.count)
        let steps = TrainingSteps(
            tokenCounts: tokenCounts, batchTokens: settings.batchTokens,
            steps: settings.steps, epochs: settings.epochs)
        let schedule = LearningRateSchedule(
            peak: settings.learningRate, warmupSteps: settings.warmupSteps, totalSteps: steps.totalSteps)
        let lambda = data.cache == nil ? 1 : settings.lambda
        let isLoRA = settings.loraRank != nil
        for step in firstStep..<steps.totalSteps {
            let start = monotonicSeconds()
            let ordinals = steps.records(at: step)
            let records = try ordinals.map { try data.trainingRecord($0) }
            let adapters = try adapters(store)
            let pass = try TrainingPass(
                config: student.config, source: isLoRA ? student.source : store, adapters: adapters,
                threads: threads, budget: budget, spillFolder: work)
            // The step's records in passes of whole records (one without --micro-batch-tokens),
            // each pass's losses and gradients over the step's loss positions, added up.
            let passes =
                settings.microBatchTokens.map {
                    TrainingSteps.groups(ordinals, tokenCounts: tokenCounts, tokens: $0)
                } ?? [ordinals]
            let positions = records.reduce(0) { $0 + $1.lossMask.count { $0 } }
            var loss = TrainingPassResult(ce: 0, fusion: 0, total: 0, lossPositions: 0)
            for group in passes {
                let offset = ordinals.lowerBound
                let result = try pass.run(
                    records: Array(records[group.lowerBound - offset..<group.upperBound - offset]), lambda: lambda,
                    sink: isLoRA ? nil : store, positionCount: positions)
                for (name, gradient) in result.adapterGradients.sorted(by: { $0.key < $1.key }) {
                    try gradient.withUnsafeBufferPointer { try store.add(name, elements: 0..<gradient.count, $0) }
                }
                loss = TrainingPassResult(
                    ce: loss.ce + result.ce, fusion: loss.fusion + result.fusion, total: loss.total + result.total,
                    lossPositions: loss.lossPositions + result.lossPositions)
            }
            let norm = try store.gradientNorm()
            optimizer.learningRate = schedule.rate(at: step)
            try store.step(
                &optimizer, gradientScale: GradientClipping.scale(norm: norm, maximum: settings.maximumGradientNorm))
            let tokens = records.reduce(0) { $0 + $1.ids.count }
            var report = DistillStep(
                step: step + 1, totalSteps: steps.totalSteps, loss: loss, learningRate: optimizer.learningRate,
                gradientNorm: norm, tokens: tokens,
                tokensPerSecond: Double(tokens) / max(1e-9, monotonicSeconds() - start))
            report.evaluationLoss = try evaluationLoss(afterStep: step + 1, of: steps.totalSteps) {
                try weights(store)
            }
            logRows += Self.logRow(report, hasTargets: data.cache != nil, evaluates: evaluation != nil)
            summary.lastEvaluationLoss = report.evaluationLoss ?? summary.lastEvaluationLoss
            summary.steps += 1
            summary.tokens += tokens
            summary.firstLoss = summary.firstLoss ?? loss.total
            summary.lastLoss = loss.total
            if (step + 1) % settings.checkpointSteps == 0 && step + 1 < steps.totalSteps {
                try DistillCheckpoint(
                    step: step + 1, identityDigest: identityDigest, optimizerSteps: optimizer.stepCount,
                    logRows: logRows
                ).write(folder: work, store: store)
            }
            progress(report)
            FaultInjection.delayPoint("distill.step")
        }
        return (store, logRows)
    }

    /// Refuses a staged run of another command line (naming what changed);
    /// starts afresh when nothing is staged or with `restart`.
    private func claimIdentity(_ staging: StagingFolder, restart: Bool) throws {
        let path = staging.workPath + "/" + Self.identityName
        let bytes = Array(identityText.utf8)
        if !restart, try FileSystem.status(path) != nil {
            let staged = try FileSystem.readSmallFile(path, limit: 1 << 20)
            guard staged != bytes else { return }
            throw DistillError.resumeRefused(stagingPath: staging.path, reason: difference(staged))
        }
        for entry in try staging.contents() where entry != StagingFolder.lockFileName { try staging.remove(entry) }
        try FileSystem.writeFileAtomically(path, bytes: bytes)
    }

    /// What differs between a staged identity and this run's, by name.
    private func difference(_ staged: [UInt8]) -> String {
        var before: [String: String] = [:]
        for line in String(decoding: staged, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            before[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let now = Dictionary(identity.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let names = (Set(before.keys).union(now.keys)).sorted()
        let changes = names.compactMap { name -> String? in
            guard before[name] != now[name] else { return nil }
            return "\(name) was \(before[name] ?? "not given"), now \(now[name] ?? "not given")"
        }
        return changes.isEmpty ? "its identity file is unreadable" : changes.joined(separator: "; ")
    }

    static func logRow(_ step: DistillStep, hasTargets: Bool, evaluates: Bool) -> String {
        let fusion = hasTargets ? "\(step.loss.fusion)" : ""
        let evaluation = evaluates ? "," + (step.evaluationLoss.map { "\($0)" } ?? "") : ""
        return "\(step.step),\(step.loss.total),\(step.loss.ce),\(fusion),\(step.learningRate),\(step.gradientNorm),"
            + "\(Int(step.tokensPerSecond.rounded()))\(evaluation)\n"
    }
}
