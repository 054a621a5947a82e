import Base
import Checkpoint
import Dispatch
import Merge
import Model
import Tokenize

/// What `smelt evolve` was asked to do beside the search file.
public struct EvolveOptions: Sendable {
    /// Evaluations to reach; the generation that reaches them is finished (as pycma's `maxfevals`).
    public var maxEvaluations = 100
    /// CMA-ES population; nil: 4 + ⌊3 ln n⌋.
    public var populationSize: Int?
    /// mergekit-evolve's default step size.
    public var sigma0 = 1.0 / 6
    public var seed: UInt64 = 0
    public var memoryBudget: UInt64 = ByteBudget.defaultLimitBytes
    public var threads: Int
    /// Discard the evaluations of an interrupted run instead of replaying them.
    public var restart = false

    public init(threads: Int) { self.threads = max(1, threads) }
}

/// Where a search stands, for a progress line.
public struct EvolveProgress: Sendable {
    public let generation: Int
    public let evaluations: Int
    public let maxEvaluations: Int
    public let bestFitness: Double
    /// Seconds per evaluation computed by this run so far (nil before the first).
    public let secondsPerEvaluation: Double?
    /// Whether this evaluation ends its generation.
    public let endsGeneration: Bool
}

/// The outcome of a search.
public struct EvolveResult: Sendable {
    public let outputPath: String
    public let best: EvaluationRecord
    public let records: [EvaluationRecord]
    /// Evaluations replayed from an interrupted run's journal.
    public let keptEvaluations: Int
    public let recipe: String
    /// Tokens each candidate is scored on.
    public let fitnessTokenCount: Int
}

/// Runs a search end to end (REFERENCE.md, "Homogeneous search"): CMA-ES
/// over the genome, each candidate scored in process, every finished
/// evaluation appended to a journal of checked blocks in the staging
/// folder `.OUT.smelt-partial`; then the best recipe is merged into
/// `OUT/model` by `smelt merge`'s own run, the history and its plot are
/// written, and the folder is renamed into place. A killed run resumes by
/// replaying its journal through a CMA-ES of the same seed, so it reaches
/// the result of a run never interrupted.
public enum EvolveRun {
    /// Hidden: bookkeeping, removed when the folder is published.
    public static let journalName = ".smelt-evolve-journal.smsp"
    public static let recipeName = "recipe.yml"
    public static let modelFolderName = "model"
    static let identityName = ".smelt-evolve-identity.json"

    public static func run(
        search: SearchDefinition, outputPath: String, encoder: RecordEncoder, options: EvolveOptions,
        progress: (EvolveProgress) -> Void = { _ in }
    ) throws -> EvolveResult {
        if try FileSystem.status(outputPath) != nil { throw EvolveRunError.outputExists(path: outputPath) }
        let configPath = search.genome.models[0] + "/config.json"
        let modelConfig = try ModelConfig(
            json: try FileSystem.readSmallFile(configPath, limit: 16 << 20), file: configPath)
        let genome = try Genome(definition: search.genome, layerCount: modelConfig.layerCount)
        let data = try FitnessData(
            sets: search.fitness.data.map { ($0.path, $0.weight) }, maxTokens: search.fitness.maxTokens,
            encoder: encoder, maxRecordTokens: modelConfig.contextLength, threads: options.threads)
        let identity = try EvolveIdentity(search: search, genome: genome, options: options).rendered()
        // checked: created when missing, so claim returns a folder
        let staging = try StagingFolder.claim(outputPath: outputPath, creating: true)!
        let work = staging.workPath
        try adopt(staging, identity: identity, restart: options.restart)
        var journaled: [EvaluationRecord] = []
        let journal = try SpillWriter(appendingTo: work + "/" + journalName) { _, payload in
            guard let record = EvaluationRecord(payload: payload), record.evaluation == journaled.count else {
                throw EvolveRunError.differentSearch(
                    stagingPath: staging.path, problem: "its journal holds a block this version did not write")
            }
            journaled.append(record)
        }
        var history = RunHistory.load(stagingPath: work)
        history.begin(keptBytes: journal.length)
        try history.save(stagingPath: work)

        let evaluator = CandidateEvaluator(
            data: data, threads: options.threads, budgetBytes: options.memoryBudget, spillFolder: work)
        let initial = search.randomInit ? genome.initialValues(randomSeed: options.seed) : genome.initialValues()
        let mean = zip(initial, zip(genome.lowerBounds, genome.upperBounds)).map { min(max($0, $1.0), $1.1) }
        var strategy = try CMAES(
            mean: mean,
            settings: CMAESSettings(
                sigma0: options.sigma0, seed: options.seed, populationSize: options.populationSize,
                lowerBounds: genome.lowerBounds, upperBounds: genome.upperBounds))
        var records: [EvaluationRecord] = []
        var computedSeconds = 0.0
        var best: EvaluationRecord?
        while records.count < options.maxEvaluations {
            let generation = strategy.generation
            var fitness: [Double] = []
            let candidates = strategy.ask()
            for (place, values) in candidates.enumerated() {
                let evaluation = records.count
                let record: EvaluationRecord
                if evaluation < journaled.count {
                    record = journaled[evaluation]
                    guard record.values == values, record.generation == generation else {
                        throw EvolveRunError.replayDiverged(stagingPath: staging.path, evaluation: evaluation)
                    }
                } else {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let score = try evaluator.evaluate(
                        recipe: try genome.recipe(values), file: "candidate \(evaluation) of \(search.file)")
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    computedSeconds += seconds
                    record = EvaluationRecord(
                        evaluation: evaluation, generation: generation, fitness: score.fitness, seconds: seconds,
                        setMeans: score.meanNegativeLogLikelihoods, values: values)
                    _ = try journal.append(record.payload)
                    try journal.sync()
                    FaultInjection.delayPoint("evolve.evaluation")
                }
                records.append(record)
                // Not-a-number ranks last, as a failed candidate.
                fitness.append(record.fitness.isNaN ? .infinity : record.fitness)
                if best.map({ record.fitness < $0.fitness }) ?? record.fitness.isFinite { best = record }
                let computed = records.count - min(records.count, journaled.count)
                progress(
                    EvolveProgress(
                        generation: generation, evaluations: records.count, maxEvaluations: options.maxEvaluations,
                        bestFitness: best?.fitness ?? .infinity,
                        secondsPerEvaluation: computed > 0 ? computedSeconds / Double(computed) : nil,
                        endsGeneration: place == candidates.count - 1))
            }
            try strategy.tell(fitness)
        }
        guard let best else { throw EvolveRunError.noFiniteFitness(evaluations: records.count) }
        let recipe = try genome.recipe(best.values)
        try publish(
            staging: staging, recipe: recipe, records: records, genome: genome, search: search, options: options,
            history: &history)
        return EvolveResult(
            outputPath: outputPath, best: best, records: records, keptEvaluations: min(journaled.count, records.count),
            recipe: recipe, fitnessTokenCount: data.tokenCount)
    }

    /// Keeps the staged run when it is this search's (or empties the
    /// folder for a new one); refuses another search's.
    static func adopt(_ staging: StagingFolder, identity: [UInt8], restart: Bool) throws {
        let path = staging.workPath + "/" + identityName
        if !restart, try FileSystem.status(path) != nil {
            let staged = try FileSystem.readSmallFile(path, limit: 16 << 20)
            guard staged == identity else {
                throw EvolveRunError.differentSearch(
                    stagingPath: staging.path, problem: EvolveIdentity.difference(staged, identity))
            }
            return
        }
        for entry in try staging.contents() where entry != StagingFolder.lockFileName { try staging.remove(entry) }
        try FileSystem.writeFileAtomically(path, bytes: identity)
    }

    /// Writes the best recipe, merges it into `model/` through `smelt
    /// merge`'s run, writes the history and its plot, and renames the
    /// staging folder into place.
    static func publish(
        staging: StagingFolder, recipe: String, records: [EvaluationRecord], genome: Genome,
        search: SearchDefinition, options: EvolveOptions, history: inout RunHistory
    ) throws {
        let work = staging.workPath
        let recipePath = work + "/" + recipeName
        try FileSystem.writeFileAtomically(recipePath, bytes: Array(recipe.utf8))
        var mergeOptions = MergeOptions(memoryBudget: options.memoryBudget, threads: options.threads)
        mergeOptions.force = true
        _ = try MergeRun.run(
            recipePath: recipePath, outputPath: work + "/" + modelFolderName, options: mergeOptions, dryRun: false)
        try FileSystem.writeFileAtomically(
            work + "/" + EvolveHistory.fileName,
            bytes: Array(EvolveHistory.render(records, valueNames: genome.valueNames).utf8))
        try FileSystem.writeFileAtomically(
            work + "/" + ProgressPlot.fileName,
            bytes: Array(ProgressPlot.render(records, title: "smelt evolve: \(search.file)").utf8))
        history.finish("evolved", computedBytes: 0)
        try history.save(stagingPath: work)
        try FileSystem.syncDirectory(work)
        try staging.moveIntoPlace(replacingExisting: false)
    }
}
