import Base
import Checkpoint
import Merge
import Synchronization

/// `smelt merge RECIPE OUT [options]` (DESIGN.md, "Command line").
enum MergeCommand: Command {
    static let name = "merge"
    static let overview = """
          merge RECIPE OUT [options]       run a mergekit-style YAML recipe into the
                                           folder OUT, in bounded memory
        """
    static let spec = ArgumentSpec(
        flags: ["dry-run", "restart", "force", "allow-non-finite", "json", "quiet"],
        options: ["memory-budget", "threads", "shard-size", "chunk-size", "seed"],
        positionalCount: 2...2, positionalNames: "RECIPE OUT")

    static let help = """
        usage: smelt merge RECIPE OUT [options]

        Runs a merge recipe (mergekit 0.1.5's YAML: merge_method, models or
        slices, base_model, parameters with gradients and filters, dtype,
        out_dtype) and writes the merged checkpoint to the folder OUT. Tensors
        stream through in chunks, so memory stays within --memory-budget
        whatever the model size. The work is staged in .OUT.smelt-partial next
        to OUT and renamed into place only when complete, verified and synced:
        until then OUT does not exist. Re-running a finished merge is a no-op.

        Interrupted runs resume. Every finished chunk is recorded with its
        XXH3-64 in a journal in the staging folder (synced every 2 s or 256 MiB).
        After Ctrl-C (exit 130), SIGTERM (143), a kill, a crash, a full disk or
        an I/O error (74), run the same command again: the staged chunks are
        re-hashed against the journal, the ones that match are kept, the rest
        are redone. A resume of a different recipe, seed, shard size, input or
        Smelt version is refused (73); --restart discards the staged work. A
        second Ctrl-C stops at once (still resumable). OUT/smelt-run.json keeps
        the history of the runs (starts, stops, bytes kept and computed).

        Methods: linear, task_arithmetic, ties, dare_linear, dare_ties,
        breadcrumbs, breadcrumbs_ties, della, della_linear, slerp, nuslerp,
        multislerp, karcher, model_stock, sce, nearswap, arcee_fusion,
        passthrough. Model paths are relative to the current directory; an
        org/name that is not a path is looked up in the local Hugging Face
        cache (never downloaded).

        Every parameter value (gradient points and filtered values included)
        must be finite in Float32 and inside its method's range (density in
        (0, 1], slerp's t in [0, 1], ...); the error gives its line and column.

        options:
          --memory-budget SIZE  peak memory for buffers (default: 1G or a quarter
                                of RAM, whichever is smaller; at least 16M); the
                                program itself adds about 20 MiB. Each run
                                reports its measured peak.
          --threads N           worker threads (default: online CPUs)
          --shard-size SIZE     largest output shard (default 5GB)
          --chunk-size SIZE     bytes of Float32 work per chunk (default: from the
                                budget); never changes the output bytes
          --seed N              seed of the random methods (default 0)
          --dry-run             print the plan: tensors, output size, free disk,
                                estimated peak resident memory (buffers plus the
                                program, measured); write nothing
          --force               replace an OUT that holds a different merge
          --restart             discard staged work of an interrupted run
                                instead of resuming it
          --allow-non-finite    publish merged tensors that hold NaNs or
                                infinities their inputs do not (by default
                                such a tensor stops the run, exit 65, with
                                the finished work kept for a rerun)
          --json                print one JSON object (schema in README.md)
          --quiet               no progress bar
          -h, --help            show this help

        SIZE: K M G T and KiB MiB GiB TiB are powers of 1024, KB MB GB TB powers
        of 1000, a bare number is bytes.

        examples:
          smelt merge Fixtures/recipes/ties.yml merged --dry-run
          smelt merge recipe.yml merged --memory-budget 256M

        exit codes: 0 merged or already done, 64 usage, 65 malformed recipe,
        inputs that do not fit together, or a merged tensor with NaNs or
        infinities its inputs do not have, 66 a model is missing, 73 OUT holds a
        different merge or a resume was refused, 74 I/O error or full disk
        (resumable), 130/143 stopped by SIGINT/SIGTERM (resumable).
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let recipePath = arguments.positionals[0]
        let outputPath = arguments.positionals[1]
        var options = MergeOptions()
        if let text = arguments.options["memory-budget"] {
            options.memoryBudget = try OptionValues.size(
                text, option: "memory-budget", minimum: ByteBudget.minimumLimitBytes)
        }
        if let text = arguments.options["threads"] {
            options.threads = try OptionValues.threads(text)
        }
        if let text = arguments.options["shard-size"] {
            options.plan.shardSizeLimit = try OptionValues.size(text, option: "shard-size", minimum: 1)
        }
        if let text = arguments.options["chunk-size"] {
            options.chunkBytes = try OptionValues.size(text, option: "chunk-size", minimum: 1)
        }
        if let text = arguments.options["seed"] {
            guard let seed = UInt64(text) else {
                throw UsageError(message: "--seed must be a whole number from 0 to 2^64 - 1, not '\(text)'")
            }
            options.plan.seed = seed
        }
        options.force = arguments.flags.contains("force")
        options.restart = arguments.flags.contains("restart")
        options.allowsNonFinite = arguments.flags.contains("allow-non-finite")
        let stop = StopRequest()
        options.stop = stop
        let signals = StopSignals { number in stop.request(signal: number) }
        let passProgress = Mutex<ProgressBar?>(nil)
        options.reductionProgress = { bytes in passProgress.withLock { $0 }?.advancePass(bytes) }
        defer { withExtendedLifetime(signals) {} }
        let wantsJSON = arguments.flags.contains("json")
        let isQuiet = wantsJSON || arguments.flags.contains("quiet")
        var progress: ProgressBar?
        var checkBar: ProgressBar?
        let result = try MergeRun.run(
            recipePath: recipePath, outputPath: outputPath, options: options,
            dryRun: arguments.flags.contains("dry-run"),
            checking: { line, bytes in
                if !isQuiet { writeToStandardError(line) }
                let bar = ProgressBar(label: "check staged work", totalBytes: bytes, enabled: !isQuiet)
                checkBar = bar
                return { bar.advance($0) }
            },
            started: { plan, resume in
                checkBar?.finish()
                for warning in plan.warnings { writeToStandardError("warning: " + TerminalText.escaped(warning)) }
                if let resume, !isQuiet { writeToStandardError(resumeLine(resume, totalBytes: plan.outputTensorBytes)) }
                progress = ProgressBar(
                    label: "merge \(plan.tensors.count) tensors", totalBytes: plan.outputTensorBytes, enabled: !isQuiet)
                passProgress.withLock { $0 = progress }
            },
            progress: { bytes in progress?.advance(bytes) })
        progress?.finish()
        if result.outcome != .merged, !wantsJSON {
            for warning in result.warnings { writeToStandardError("warning: " + TerminalText.escaped(warning)) }
        }
        writeToStandardOutput(wantsJSON ? json(result).rendered(pretty: true) + "\n" : text(result))
        return .success
    }

    static func json(_ result: MergeResult) -> JSONOutput {
        .object([
            ("outcome", .string(result.outcome.rawValue)),
            ("output", .string(result.outputPath)),
            ("plan_xxh3", .string(XXH3.hex(result.planDigest))),
            ("tensors", .unsigned(UInt64(result.tensorCount))),
            ("output_bytes", .unsigned(result.outputBytes)),
            ("shards", .unsigned(UInt64(result.shardCount))),
            ("free_disk_bytes", .unsigned(result.freeDiskBytes)),
            ("memory_budget_bytes", .unsigned(result.memory.budgetBytes)),
            ("estimated_peak_bytes", .unsigned(result.memory.peakBytes)),
            ("estimated_peak_rss_bytes", .unsigned(result.memory.estimatedResidentBytes)),
            ("peak_rss_bytes", result.peakResidentBytes.map(JSONOutput.unsigned) ?? .null),
            ("reserved_peak_bytes", result.reservedPeakBytes.map(JSONOutput.unsigned) ?? .null),
            ("chunk_elements", .unsigned(UInt64(result.memory.chunkElementCount))),
            ("warnings", .array(result.warnings.map(JSONOutput.string))),
            (
                "resume",
                result.resume.map { resume in
                    .object([
                        ("kept_bytes", .unsigned(resume.keptBytes)),
                        ("kept_units", .unsigned(UInt64(resume.keptUnits))),
                        ("redone_units", .unsigned(UInt64(resume.redoneUnits))),
                        ("torn_journal_bytes", .unsigned(resume.tornJournalBytes)),
                        ("only_published", .bool(resume.onlyPublished)),
                    ])
                } ?? .null
            ),
        ])
    }

    /// One line saying what a resume kept.
    static func resumeLine(_ resume: ResumeSummary, totalBytes: UInt64) -> String {
        var line =
            "resuming an interrupted run: kept \(Formatting.bytes(resume.keptBytes)) of \(Formatting.bytes(totalBytes)) (\(resume.keptUnits) chunks checked against the journal)"
        if resume.redoneUnits > 0 { line += ", redoing \(resume.redoneUnits) whose staged bytes did not match" }
        if resume.tornJournalBytes > 0 { line += ", dropped a torn journal tail of \(resume.tornJournalBytes) bytes" }
        return line
    }

    /// The result in one line (three for a dry run); the output path is
    /// escaped (TerminalText).
    static func text(_ result: MergeResult) -> String {
        let output = TerminalText.escaped(result.outputPath)
        let size = RunSummaryText.size(
            tensors: result.tensorCount, bytes: result.outputBytes, shards: result.shardCount)
        switch result.outcome {
        case .merged:
            let resumed = RunSummaryText.resumedAndPeak(result.resume, peak: result.peakResidentBytes)
            return "merged \(size) into \(output) (plan \(XXH3.hex(result.planDigest)))\(resumed)\n"
        case .alreadyDone:
            return
                "\(output) already holds this merge (plan \(XXH3.hex(result.planDigest))); nothing to do\n"
        case .dryRun:
            return """
                plan \(XXH3.hex(result.planDigest)): \(size)
                disk: \(Formatting.bytes(result.outputBytes)) needed, \(Formatting.bytes(result.freeDiskBytes)) free
                memory: budget \(Formatting.bytes(result.memory.budgetBytes)), estimated peak \(Formatting.bytes(result.memory.estimatedResidentBytes)) resident: buffers \(Formatting.bytes(result.memory.peakBytes)) and the program \(Formatting.bytes(result.memory.programBytes)) (chunks of \(Formatting.grouped(UInt64(result.memory.chunkElementCount))) elements, \(result.memory.window) in flight)
                dry run: nothing written

                """
        }
    }
}
