import Base

/// What `smelt convert` was asked to do.
public struct ConvertOptions: Sendable {
    public var dtype: DType = .bf16
    /// Keep every tensor's GGUF name and values, whatever the architecture.
    public var rawNames = false
    public var memoryBudget: UInt64
    public var threads: Int
    public var shardSizeLimit: UInt64 = 5_000_000_000
    /// Bytes of Float32 work per chunk; nil: chosen from the budget. Never
    /// changes the output bytes.
    public var chunkBytes: UInt64?
    /// Replace an output folder that holds something else.
    public var force = false
    /// Discard staged work of an interrupted run instead of resuming it.
    public var restart = false
    /// Set by a signal handler to stop the run cleanly.
    public var stop: StopRequest?
    /// The extra files of the output folder, made from the GGUF's metadata.
    /// THE place where the tokenizer files (`tokenizer.json`,
    /// `tokenizer_config.json`, `chat_template.jinja`) plug in: a provider
    /// returns them by name. By default only `chat_template.jinja`, when the
    /// file has `tokenizer.chat_template`. Their bytes are part of the
    /// output's identity (a rerun with other bytes is not "already done").
    public var extraFiles: @Sendable (GGUFMetadata) throws -> [ConversionFile] = GGUFConversion.chatTemplateFile

    public init(memoryBudget: UInt64 = ByteBudget.defaultLimitBytes, threads: Int = defaultThreadCount) {
        self.memoryBudget = memoryBudget
        self.threads = max(1, threads)
    }
}

/// The outcome of a conversion.
public struct ConvertResult: Sendable {
    public enum Outcome: String, Sendable { case converted, alreadyDone = "already-done" }
    public let outcome: Outcome
    public let outputPath: String
    /// The architecture converted, nil for `--raw-names`.
    public let architecture: String?
    public let planDigest: UInt64
    public let tensorCount: Int
    public let outputBytes: UInt64
    public let shardCount: Int
    public let warnings: [String]
    /// What a resumed run kept from the runs before it; nil for a fresh run.
    public let resume: ResumeSummary?
    public let memoryBudgetBytes: UInt64
    /// The process's peak resident memory when the result was made (VmHWM).
    public let peakResidentBytes: UInt64?
    /// The most bytes the run's buffers held at once in its budget.
    public let reservedPeakBytes: UInt64?
}

/// Converts a GGUF file into a Hugging Face folder: plan, checks, stream
/// every tensor through its transform into the staging folder, config and
/// extra files, publish (DESIGN.md, principle 6).
public enum GGUFConversion {
    /// Converts `ggufPath` into `outputPath`. `checking` is called before a
    /// resume re-hashes staged work, with a line saying so and the bytes to
    /// hash, and returns where to report the bytes hashed (from any
    /// thread); `started` once the plan is known; `progress` with the
    /// bytes of every finished chunk, kept ones included.
    public static func run(
        ggufPath: String, outputPath: String, options: ConvertOptions,
        checking: (_ note: String, _ bytes: UInt64) -> @Sendable (UInt64) -> Void = { _, _ in { _ in } },
        started: (GGUFConversionPlan, ResumeSummary?) -> Void = { _, _ in }, progress: (UInt64) -> Void = { _ in }
    ) throws -> ConvertResult {
        let file = try GGUFFile(path: ggufPath)
        let plan = try GGUFConversionPlan(
            file: file, dtype: options.dtype, rawNames: options.rawNames, shardSizeLimit: options.shardSizeLimit)
        let extraFiles = try options.extraFiles(file.header.metadata)
        let files = plan.files + extraFiles
        let planText =
            plan.canonicalText + extraFiles.map { "file \($0.name) \(XXH3.hex(XXH3.digest($0.bytes)))\n" }.joined()
        let digest = XXH3.digest(Array(planText.utf8))
        let inputs = [try file.manifestInput(pathAsWritten: ggufPath)]
        let budget = ByteBudget(limitBytes: options.memoryBudget)
        let shards = try ShardLayout.plan(
            tensors: plan.tensors.map(\.outputTensor), shardSizeLimit: options.shardSizeLimit)
        let outputBytes = shards.reduce(0) { $0 + $1.fileSize }
        func result(_ outcome: ConvertResult.Outcome, resume: ResumeSummary? = nil) -> ConvertResult {
            ConvertResult(
                outcome: outcome, outputPath: outputPath, architecture: plan.architecture, planDigest: digest,
                tensorCount: plan.tensors.count, outputBytes: outputBytes, shardCount: shards.count,
                warnings: plan.warnings, resume: resume, memoryBudgetBytes: options.memoryBudget,
                peakResidentBytes: ProcessMemory.peakResidentBytes,
                reservedPeakBytes: budget.highWaterBytes > 0 ? budget.highWaterBytes : nil)
        }
        try OutputOverlap.check(outputPath: outputPath, inputPaths: [ggufPath])
        if options.force, FileSystem.isSymbolicLink(outputPath) {
            throw WriterError.outputNotAFolder(path: outputPath, kind: "a symbolic link")
        }
        if options.force, let status = try FileSystem.status(outputPath), !status.isDirectory {
            throw WriterError.outputNotAFolder(path: outputPath, kind: "a file")
        }
        if try FileSystem.status(outputPath) != nil {
            switch try ExistingOutput.compare(outputPath, planDigest: digest, inputs: inputs) {
            case .sameRun: return result(.alreadyDone)
            case .different(let problem) where !options.force:
                throw ConvertError.outputHoldsDifferentOutput(path: outputPath, problem: problem)
            case .different: break
            }
        }
        if !options.restart,
            try StagedRun.finishInterruptedPublish(
                outputPath: outputPath, planDigest: digest, inputs: inputs, force: options.force)
        {
            return result(
                .converted,
                resume: ResumeSummary(
                    keptBytes: outputBytes, keptUnits: 0, redoneUnits: 0, tornJournalBytes: 0, onlyPublished: true))
        }
        let parent = outputPath.deletingLastPathComponent
        let session = try StagedRun(
            identity: JournalIdentity(planText: planText, inputs: inputs, planNoun: "the conversion plan"),
            tensors: plan.tensors.map { ($0.name, $0.byteCount) }, shards: shards, outputPath: outputPath,
            freeBytes: try FileSystem.availableBytes(at: parent.isEmpty ? "." : parent), restart: options.restart,
            threads: options.threads, checking: checking)
        let (writer, journal) = (session.writer, session.journal)
        let workPath = writer.staging.workPath
        var history = session.history
        history.begin(keptBytes: session.summary?.keptBytes ?? 0)
        try history.save(stagingPath: workPath)
        started(plan, session.summary)
        let memory = ConversionMemory(
            plan: plan, infos: file.tensorInfos, budgetBytes: options.memoryBudget, threads: options.threads,
            chunkBytes: options.chunkBytes)
        var doneBytes: UInt64 = 0
        var report = ConversionExecutor.Report()
        do {
            try ConversionExecutor.run(
                plan, file: file, memory: memory, into: writer, budget: budget, staged: session.staged,
                journal: journal, stop: options.stop, report: &report
            ) { bytes in
                doneBytes += bytes
                progress(bytes)
            }
            try journal.writePending()
            for extra in files { try writer.addFile(named: extra.name, bytes: extra.bytes) }
            history.finish("converted", computedBytes: report.computedBytes)
            try history.save(stagingPath: workPath)
            let manifest = Manifest(version: smeltVersion, recipe: planText, planDigest: digest, inputs: inputs)
            try writer.publish(
                manifest: manifest, replacingExisting: options.force, knownDigests: report.digests,
                unlistedFileNames: [RunHistory.fileName])
        } catch {
            try? journal.flush()
            history.finish(error is StopRequested ? "interrupted" : "failed", computedBytes: report.computedBytes)
            try? history.save(stagingPath: workPath)
            throw translated(error, stagingPath: writer.stagingPath, doneBytes: doneBytes, outputBytes: outputBytes)
        }
        return result(.converted, resume: session.summary)
    }

    /// The default extra files: `chat_template.jinja` holding
    /// `tokenizer.chat_template`, when the GGUF has one.
    /// `tokenizer.json`, `tokenizer_config.json` and `chat_template.jinja`
    /// (`GGUFTokenizerFiles`), as transformers' own conversion writes them;
    /// a refusal names `path`. A GGUF without tokenizer metadata (no
    /// `tokenizer.ggml.model`) gets its chat template, if any, and no
    /// tokenizer files.
    public static func tokenizerFiles(namingFile path: String) -> @Sendable (GGUFMetadata) throws -> [ConversionFile] {
        { metadata in
            guard metadata["tokenizer.ggml.model"] != nil else { return try chatTemplateFile(metadata) }
            let files: [(name: String, bytes: [UInt8])]
            do {
                files = try GGUFTokenizerFiles.files(from: metadata)
            } catch let error as GGUFTokenizerError {
                throw error.naming(file: path)
            }
            return files.map { ConversionFile(name: $0.name, bytes: $0.bytes) }
        }
    }

    @Sendable public static func chatTemplateFile(_ metadata: GGUFMetadata) throws -> [ConversionFile] {
        guard let template = metadata["tokenizer.chat_template"]?.stringValue else { return [] }
        return [ConversionFile(name: "chat_template.jinja", bytes: Array(template.utf8))]
    }

    /// The error a user sees for a failure during the run: every one says
    /// that the finished work is kept and how to resume.
    private static func translated(
        _ error: any Error, stagingPath: String, doneBytes: UInt64, outputBytes: UInt64
    ) -> any Error {
        switch error {
        case let stop as StopRequested:
            return ConvertError.interrupted(signal: stop.signal, stagingPath: stagingPath, keptBytes: doneBytes)
        case let error as SystemError where error.isNoSpace:
            return ConvertError.diskFull(
                path: error.path, neededBytes: outputBytes > doneBytes ? outputBytes - doneBytes : 0,
                stagingPath: stagingPath)
        case let error as SystemError:
            return ConvertError.runFailed(cause: error, stagingPath: stagingPath)
        default:
            return error
        }
    }
}
