import Checkpoint

/// What `smelt merge` was asked to do.
public struct MergeOptions: Sendable {
    public var memoryBudget: UInt64
    public var threads: Int
    /// Bytes per chunk of Float32 work; nil: chosen from the budget.
    public var chunkBytes: UInt64?
    public var plan = PlanSettings()
    public var force = false

    public init(memoryBudget: UInt64 = MergeOptions.defaultMemoryBudget, threads: Int = defaultThreadCount) {
        self.memoryBudget = memoryBudget
        self.threads = max(1, threads)
    }

    /// 1 GiB or a quarter of the machine's memory, whichever is smaller.
    public static var defaultMemoryBudget: UInt64 { min(1 << 30, max(64 << 20, FileSystem.physicalMemoryBytes / 4)) }
}

/// The outcome of a merge (or of a dry run).
public struct MergeResult: Sendable {
    public enum Outcome: String, Sendable { case merged, alreadyDone = "already-done", dryRun = "dry-run" }
    public let outcome: Outcome
    public let outputPath: String
    public let planDigest: UInt64
    public let tensorCount: Int
    public let outputBytes: UInt64
    public let shardCount: Int
    public let freeDiskBytes: UInt64
    public let memory: MemoryEstimate
    public let warnings: [String]
}

/// Runs a recipe end to end: plan, checks, stream every tensor into the
/// staging folder, extra files, publish (DESIGN.md, "Data flow of a merge").
public enum MergeRun {
    /// Plans `recipePath` into `outputPath` and, unless `dryRun`, runs it.
    /// `started` is called once the plan is known, with the total bytes to
    /// write; `progress` with the bytes of each finished chunk.
    public static func run(
        recipePath: String, outputPath: String, options: MergeOptions, dryRun: Bool,
        started: (MergePlan) -> Void = { _ in }, progress: (UInt64) -> Void = { _ in }
    ) throws -> MergeResult {
        let bytes = try FileSystem.readSmallFile(recipePath, limit: 1 << 20)
        let recipe = try Recipe(yaml: bytes, file: recipePath)
        let plan = try Planner.plan(recipe, settings: options.plan)
        let digest = plan.digest
        let inputs = try plan.inputIdentities()
        let memory = MemoryEstimate(plan: plan, options: options)
        let shards = try ShardLayout.plan(tensors: plan.outputTensors, shardSizeLimit: options.plan.shardSizeLimit)
        let outputBytes = shards.reduce(0) { $0 + $1.fileSize }
        let parent = outputPath.deletingLastPathComponent
        let free = try FileSystem.availableBytes(at: parent.isEmpty ? "." : parent)
        func result(_ outcome: MergeResult.Outcome) -> MergeResult {
            MergeResult(outcome: outcome, outputPath: outputPath, planDigest: digest, tensorCount: plan.tensors.count,
                        outputBytes: outputBytes, shardCount: shards.count, freeDiskBytes: free, memory: memory, warnings: plan.warnings)
        }
        if try FileSystem.status(outputPath) != nil {
            switch try ExistingOutput.compare(outputPath, planDigest: digest, inputs: inputs) {
            case .sameMerge: return result(.alreadyDone)
            case .different(let problem) where !options.force:
                throw MergeError.outputHoldsDifferentMerge(path: outputPath, problem: problem)
            case .different: break
            }
        }
        if dryRun { return result(.dryRun) }
        let needed = outputBytes + 16 << 20
        guard free >= needed else { throw MergeError.insufficientDisk(path: parent, neededBytes: needed, availableBytes: free) }
        started(plan)
        let writer = try CheckpointWriter(outputPath: outputPath, tensors: plan.outputTensors, shardSizeLimit: options.plan.shardSizeLimit)
        let settings = ExecutionSettings(threads: options.threads, chunkElementCount: memory.chunkElementCount, window: memory.window)
        let digests = try MergeExecutor.run(plan.tensors, into: writer, settings: settings, progress: progress)
        if let config = plan.config { try writer.addFile(named: "config.json", bytes: config) }
        for (name, path) in plan.copiedFiles { try writer.addFile(named: name, bytes: try FileSystem.readSmallFile(path, limit: 1 << 30)) }
        try writer.addFile(named: "mergekit_config.yml", bytes: bytes)
        try writer.addFile(named: "README.md", bytes: Array(ModelCard.render(plan: plan, inputs: inputs).utf8))
        try writer.publish(manifest: Manifest(recipe: recipe.text, planDigest: digest, inputs: inputs), replacingExisting: options.force, knownDigests: digests)
        return result(.merged)
    }
}
