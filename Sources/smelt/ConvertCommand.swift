import Base
import Checkpoint

/// `smelt convert X.gguf OUT [options]` (DESIGN.md, "Command line").
enum ConvertCommand: Command {
    static let name = "convert"
    static let overview = """
          convert X.gguf OUT [options]     turn a GGUF (llama, qwen2, gemma3) into a Hugging
                                           Face folder that transformers loads, in bounded memory
        """
    static let spec = ArgumentSpec(
        flags: ["raw-names", "force", "restart", "json", "quiet"],
        options: ["dtype", "memory-budget", "threads", "shard-size"],
        positionalCount: 2...2, positionalNames: "X.gguf OUT")

    static let help = """
        usage: smelt convert X.gguf OUT [options]

        Converts a GGUF file (llama.cpp, ollama, LM Studio) into a Hugging Face
        folder that transformers loads as it loads the GGUF itself: safetensors
        shards, config.json, generation_config.json, tokenizer.json and
        tokenizer_config.json (byte for byte what transformers' own GGUF
        tokenizer conversion saves; none when the GGUF has no tokenizer
        metadata) and chat_template.jinja (when the GGUF has a chat template;
        with --raw-names only the template). Every tensor is dequantized to
        Float32 exactly as gguf-py does, renamed to transformers' name,
        transformed as transformers' GGUF loader does, and rounded once to
        --dtype (to nearest, ties to even): equal, byte for byte, to
        from_pretrained(..., gguf_file=X.gguf) cast to that dtype.

        Architectures: llama (the Q and K projections get llama.cpp's row
        permutation undone), qwen2 (renamed only), gemma3 (RMSNorm weights minus
        one). A file without output.weight gets a tied head
        (tie_word_embeddings). Any other architecture is refused (65); with
        --raw-names --dtype f32 the tensors of any GGUF are written under their
        GGUF names, row-major, as dequantized, and no config.

        Tensors stream through in chunks, so memory stays within --memory-budget
        whatever the model size. The work is staged in .OUT.smelt-partial next
        to OUT, journaled, and renamed into place when complete, verified and
        synced; an interrupted run (Ctrl-C, a kill, a full disk) resumes when
        run again, keeping every staged chunk that still matches its digest.
        Re-running a finished conversion is a no-op.

        options:
          --dtype T             bf16 (default), f16 or f32
          --raw-names           keep GGUF names and values (needs --dtype f32)
          --memory-budget SIZE  peak memory for buffers (default: 1G or a quarter
                                of RAM, whichever is smaller; at least 16M)
          --threads N           worker threads (default: online CPUs)
          --shard-size SIZE     largest output shard (default 5GB)
          --force               replace an OUT that holds something else
          --restart             discard staged work of an interrupted run
          --json                print one JSON object (schema in README.md)
          --quiet               no progress bar
          -h, --help            show this help

        examples:
          smelt convert SmolLM2-135M-Instruct.Q4_1.gguf smollm2
          smelt convert model.gguf out --dtype f16 --memory-budget 128M
          smelt convert model.gguf raw --raw-names --dtype f32

        exit codes: 0 converted or already done, 64 usage (or a budget too small),
        65 malformed GGUF, unknown architecture, tensors or metadata that do not
        fit it, 66 X.gguf is missing, 73 OUT holds something else or a resume was
        refused, 74 I/O error or full disk (resumable), 130/143 stopped by
        SIGINT/SIGTERM (resumable).
        """

    static let dtypes: [String: DType] = ["bf16": .bf16, "f16": .f16, "f32": .f32]

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let ggufPath = arguments.positionals[0]
        let outputPath = arguments.positionals[1]
        var options = ConvertOptions()
        if let text = arguments.options["dtype"] {
            guard let dtype = dtypes[text] else {
                throw UsageError(message: "--dtype must be bf16, f16 or f32, not '\(text)'")
            }
            options.dtype = dtype
        }
        options.rawNames = arguments.flags.contains("raw-names")
        if options.rawNames, options.dtype != .f32 {
            throw UsageError(
                message: "--raw-names writes the GGUF's tensors as dequantized: it needs --dtype f32")
        }
        if let text = arguments.options["memory-budget"] {
            options.memoryBudget = try OptionValues.size(
                text, option: "memory-budget", minimum: ByteBudget.minimumLimitBytes)
        }
        if let text = arguments.options["threads"] { options.threads = try OptionValues.threads(text) }
        if let text = arguments.options["shard-size"] {
            options.shardSizeLimit = try OptionValues.size(text, option: "shard-size", minimum: 1)
        }
        options.force = arguments.flags.contains("force")
        options.restart = arguments.flags.contains("restart")
        // tokenizer.json, tokenizer_config.json and chat_template.jinja from the
        // GGUF's tokenizer metadata, as transformers' own conversion writes
        // them; a raw-names dump (any architecture) keeps the template only.
        if !options.rawNames { options.extraFiles = GGUFConversion.tokenizerFiles(namingFile: ggufPath) }
        let stop = StopRequest()
        options.stop = stop
        let signals = StopSignals { number in stop.request(signal: number) }
        defer { withExtendedLifetime(signals) {} }
        let wantsJSON = arguments.flags.contains("json")
        let isQuiet = wantsJSON || arguments.flags.contains("quiet")
        var progress: ProgressBar?
        var checkBar: ProgressBar?
        let result = try GGUFConversion.run(
            ggufPath: ggufPath, outputPath: outputPath, options: options,
            checking: { line, bytes in
                if !isQuiet { writeToStandardError(line) }
                let bar = ProgressBar(label: "check staged work", totalBytes: bytes, enabled: !isQuiet)
                checkBar = bar
                return { bar.advance($0) }
            },
            started: { plan, resume in
                checkBar?.finish()
                if !wantsJSON {
                    for warning in plan.warnings { writeToStandardError("warning: " + TerminalText.escaped(warning)) }
                }
                if let resume, !isQuiet {
                    writeToStandardError(
                        MergeCommand.resumeLine(resume, totalBytes: plan.tensors.reduce(0) { $0 + $1.byteCount }))
                }
                progress = ProgressBar(
                    label: "convert \(plan.tensors.count) tensors",
                    totalBytes: plan.tensors.reduce(0) { $0 + $1.byteCount }, enabled: !isQuiet)
            },
            progress: { bytes in progress?.advance(bytes) })
        progress?.finish()
        writeToStandardOutput(
            wantsJSON ? json(result, dtype: options.dtype).rendered(pretty: true) + "\n" : text(result))
        return .success
    }

    static func json(_ result: ConvertResult, dtype: DType) -> JSONOutput {
        .object([
            ("outcome", .string(result.outcome.rawValue)),
            ("output", .string(result.outputPath)),
            ("architecture", result.architecture.map(JSONOutput.string) ?? .null),
            ("dtype", .string(dtype.rawValue)),
            ("plan_xxh3", .string(XXH3.hex(result.planDigest))),
            ("tensors", .unsigned(UInt64(result.tensorCount))),
            ("output_bytes", .unsigned(result.outputBytes)),
            ("shards", .unsigned(UInt64(result.shardCount))),
            ("memory_budget_bytes", .unsigned(result.memoryBudgetBytes)),
            ("peak_rss_bytes", result.peakResidentBytes.map(JSONOutput.unsigned) ?? .null),
            ("reserved_peak_bytes", result.reservedPeakBytes.map(JSONOutput.unsigned) ?? .null),
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

    /// The result in one line; the output path is escaped (TerminalText).
    static func text(_ result: ConvertResult) -> String {
        let output = TerminalText.escaped(result.outputPath)
        let what = result.architecture.map { "\($0) model" } ?? "GGUF tensors under their own names"
        let size = RunSummaryText.size(
            tensors: result.tensorCount, bytes: result.outputBytes, shards: result.shardCount)
        switch result.outcome {
        case .converted:
            let resumed = RunSummaryText.resumedAndPeak(result.resume, peak: result.peakResidentBytes)
            return "converted the \(TerminalText.escaped(what)) (\(size)) into \(output)\(resumed)\n"
        case .alreadyDone:
            return "\(output) already holds this conversion (plan \(XXH3.hex(result.planDigest))); nothing to do\n"
        }
    }
}
