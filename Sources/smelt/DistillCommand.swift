import Base
import CSystemShims
import Checkpoint
import Distill
import Model

/// `smelt distill STUDENT DATA.jsonl OUT [--targets CACHE] ...` (issue 19).
enum DistillCommand: Command {
    static let name = "distill"
    static let overview = """
          distill STUDENT DATA.jsonl OUT [--targets CACHE]
                                           train a model on DATA's gold tokens (SFT) or on a logit
                                           cache's distributions (distillation), resumably
        """
    static let spec = ArgumentSpec(
        flags: ["json", "quiet", "restart", "save-adapter"],
        options: [
            "targets", "lambda", "lr", "steps", "epochs", "batch-tokens", "warmup", "weight-decay", "lora-rank",
            "lora-alpha", "chat-template", "seed", "threads", "memory-budget", "checkpoint-steps", "optimizer-state",
            "eval", "eval-steps", "micro-batch-tokens",
        ],
        positionalCount: 3...3, positionalNames: "STUDENT DATA.jsonl OUT")

    static let help = """
        usage: smelt distill STUDENT DATA.jsonl OUT [--targets CACHE] [options]

        Trains STUDENT (a llama or qwen2 model folder, or a .gguf file whose
        weights are dequantized to Float32 as they are read) on the records
        of DATA.jsonl, tokenised as `smelt score` does, in file order: each
        optimizer step takes whole records up to about --batch-tokens tokens
        and computes their gradients together; AdamW (betas 0.9, 0.95,
        decoupled weight decay) under a cosine schedule with linear warm-up,
        the gradient clipped at global norm 1.0. Only the loss positions of
        each record count (a completion, an assistant's turns).

        Without --targets it is supervised fine-tuning: the cross-entropy of
        the gold tokens. With --targets CACHE, a top-K logit cache in the
        student's vocabulary made over the same DATA (`smelt logits` of a
        teacher with the student's tokenizer, or `smelt fuse`), the loss is
        λ·CE(gold) + (1 − λ)·CE(renormalised top-K of the cache), as
        FuseLLM trains. A sampled cache (`smelt logits --sample N
        [--temperature T]`) trains by random-sampling distillation
        (arXiv 2503.16870): at each position the tokens drawn, weighted by
        their self-normalised importance weights (draw counts at T = 1,
        counts times p^(1 - 1/T) otherwise), an unbiased estimate of the
        teacher's distribution. The cache's records are checked against the
        student's tokenisation, record by record.

        OUT is a Hugging Face folder published like every output (staged in
        .OUT.smelt-partial, digests in smelt-manifest.json, one rename): the
        trained weights in Float32 (LoRA adapters merged in), the student's
        config.json and tokenizer files, train-log.csv with one row per step
        (step, loss, ce, fusion, lr, grad_norm, tokens_per_second, and
        eval_loss with --eval) and train-loss.svg (the loss and evaluation
        loss against the step; open it in a browser). With --save-adapter
        OUT holds the LoRA adapters alone as PEFT saves them instead:
        adapter_model.safetensors (Float32, base_model.model.<module>.lora_A
        and .lora_B), adapter_config.json (base_model_name_or_path is
        STUDENT as given) and the tokenizer files.

        With --eval FILE, the records of FILE (tokenised as DATA) are scored
        with the current weights every --eval-steps steps and after the last:
        the mean cross-entropy over their loss positions, as `smelt score`
        computes it (LoRA runs: the merged weights).

        Memory: full fine-tuning keeps 16 bytes per parameter (Float32
        weights, AdamW's two moments, the gradient): in memory when that is
        at most half of --memory-budget, otherwise in hidden files of the
        staging folder, read a layer at a time by the passes and streamed
        through the optimizer step (slower, not bigger). LoRA keeps only
        the adapters and reads the frozen weights from STUDENT's files a
        layer at a time. Each layer's intermediate results are kept from the
        forward to the backward when the budget holds them all, else
        recomputed from the layer's input. A step whose buffers do not fit
        the budget is refused naming what did not fit: give
        --micro-batch-tokens (the same step in smaller passes) or a larger budget.

        Every --checkpoint-steps steps the weights, AdamW's moments and the
        step count are saved in the staging folder; rerunning the same
        command after a kill resumes from there and ends with the same
        bytes as an uninterrupted run. Another command line is refused
        (73) naming what changed; --restart discards the staged run. A
        rerun of a finished command (OUT published by the same command line
        over the same inputs) reports it already complete and exits 0; any
        other OUT is refused (73).

        options:
          --targets CACHE          a top-K or sampled logit cache over DATA in the
                                   student's vocabulary
          --lambda L               weight of the gold cross-entropy (default 0.9;
                                   1 without --targets)
          --lr RATE                peak learning rate (default 1e-5)
          --steps N                optimizer steps (cycling over DATA), or
          --epochs E               passes over DATA (default 1)
          --batch-tokens N         tokens per optimizer step (default 4096)
          --micro-batch-tokens N   run a step's records in passes of at most N
                                   tokens (whole records), adding up their gradients
                                   (gradient accumulation: less memory per pass;
                                   default: the whole step in one pass)
          --warmup N               warm-up steps (default 0)
          --weight-decay W         AdamW's decoupled weight decay (default 0.1)
          --lora-rank R            train LoRA adapters of rank R on q/k/v/o and
                                   the MLP projections instead of every weight
          --lora-alpha A           LoRA's alpha (default R)
          --chat-template FILE     the student's chat template instead of its own
          --seed N                 seed of the LoRA initialisation (default 0)
          --checkpoint-steps N     steps between checkpoints (default 50)
          --eval FILE              held-out records (JSONL, as DATA) to evaluate
          --eval-steps N           steps between evaluations (default: the
                                   checkpoint interval; always after the last)
          --save-adapter           with --lora-rank: write the adapters alone
                                   in PEFT's format instead of merged weights
          --threads N              worker threads (default: the cores); the weights
                                   are the same bytes for any N
          --memory-budget SIZE     bound on training buffers (default 1G; see Memory)
          --optimizer-state WHERE  auto (default), memory or disk: where the trained
                                   weights, AdamW's moments and gradients live
          --restart                discard the staged work of an interrupted run
          --json                   print the summary as one JSON object
          --quiet                  no progress line
          -h, --help               show this help

        example:
          smelt logits smollm2-1.7b train.jsonl teacher.cache
          smelt distill smollm2-135m train.jsonl smollm2-distilled --targets teacher.cache --steps 200
          smelt score smollm2-distilled test.jsonl

        exit codes: 0 done (or already complete), 64 usage, 65 a cache over
        other data, of another vocabulary, without targets (K = 0) or one
        shard, cached tokens that are not the student's, an architecture
        that cannot be trained, a malformed data line, evaluation data
        without a record or a loss position, 66 STUDENT, DATA, CACHE or the
        --eval file missing, 73 OUT exists from another run or the staged
        run is another command line's, 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let (studentPath, dataPath, outputPath) = (
            arguments.positionals[0], arguments.positionals[1], arguments.positionals[2]
        )
        var settings = try DistillSettings(arguments)
        let threads = try OptionValues.threadCount(arguments)
        smelt_keep_freed_memory()
        let budget = ByteBudget(limitBytes: try OptionValues.memoryBudgetBytes(arguments))
        let stateOnDisk: Bool? =
            switch arguments.options["optimizer-state"] {
            case nil, "auto": nil
            case "memory": false
            case "disk": true
            case let other?:
                throw UsageError(message: "--optimizer-state must be auto, memory or disk, not '\(other)'")
            }
        let cachePath = arguments.options["targets"]
        let evaluationPath = arguments.options["eval"]
        if cachePath == nil { settings.lambda = 1 }
        for (path, what) in [(studentPath, "student model"), (dataPath, "data file")]
            + (cachePath.map { [($0, "cache")] } ?? []) + (evaluationPath.map { [($0, "evaluation data file")] } ?? [])
        where try FileSystem.status(path) == nil {
            throw MissingInputError(path: path, what: what)
        }
        guard try FileSystem.status(studentPath)?.isDirectory == true || GGUFFile.hasMagic(path: studentPath) else {
            throw DistillError.unsupportedStudent(path: studentPath, reason: "give a model folder or a .gguf file")
        }
        let templatePath = arguments.options["chat-template"]
        let student = try LanguageModel.open(path: studentPath)
        guard student.config.kind != .gemma3 else {
            throw ModelError.untrainableArchitecture(model: studentPath, kind: student.config.kind)
        }
        let identity = try identity(
            studentPath: studentPath, dataPath: dataPath, cachePath: cachePath, evaluationPath: evaluationPath,
            templatePath: templatePath, vocabularySize: student.config.vocabularySize, settings: settings)
        let json = arguments.flags.contains("json")
        if let completed = try DistillRun.completedRun(at: outputPath, identity: identity) {
            DistillProgress.report(completed, path: outputPath, hasTargets: cachePath != nil, json: json)
            return .success
        }
        let encoder = try TokenizerSource.encoder(for: studentPath, chatTemplatePath: templatePath)
        let cache = try cachePath.map { try LogitCache(path: $0) }
        let data = try DistillData(
            dataPath: dataPath, encoder: encoder, vocabularySize: student.config.vocabularySize,
            maxTokens: student.config.contextLength, cache: cache)
        let evaluation = try evaluationPath.map { path in
            let records = try DistillData(
                dataPath: path, encoder: encoder, vocabularySize: student.config.vocabularySize,
                maxTokens: student.config.contextLength, cache: nil
            ).records
            return try DistillEvaluation(
                records: records, data: path, threads: threads, budget: budget)
        }
        let run = DistillRun(
            student: student, data: data, settings: settings, identity: identity, outputPath: outputPath,
            extraFiles: try outputFiles(studentPath: studentPath, settings: settings), threads: threads,
            budget: budget, stateOnDisk: stateOnDisk)
        run.evaluation = evaluation
        let progress = DistillProgress(enabled: !json && !arguments.flags.contains("quiet"))
        let summary: DistillSummary
        do {
            summary = try run.run(restart: arguments.flags.contains("restart")) { progress.show($0) }
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        DistillProgress.report(summary, path: outputPath, hasTargets: cache != nil, json: json)
        return .success
    }

    /// What the run is a function of, as `name value` lines: the student's
    /// identity, the data's (and the evaluation data's) digest, the cache's
    /// manifest digest and the settings.
    static func identity(
        studentPath: String, dataPath: String, cachePath: String?, evaluationPath: String?, templatePath: String?,
        vocabularySize: Int, settings: DistillSettings
    ) throws -> [(name: String, value: String)] {
        let studentIdentity = try TeacherIdentity.make(
            modelPath: studentPath, chatTemplatePath: templatePath, dataPath: dataPath, topK: 0,
            vocabularySize: vocabularySize, sampling: nil)
        var identity: [(name: String, value: String)] = [
            ("student", XXH3.hex(XXH3.digest(studentIdentity.json.rendered(pretty: false).utf8.map { $0 }))),
            ("data", "\(studentIdentity.dataSize) bytes, XXH3-64 \(XXH3.hex(studentIdentity.dataDigest))"),
        ]
        if let cachePath {
            let manifest = try FileSystem.readSmallFile(cachePath + "/" + LogitCacheManifest.fileName, limit: 64 << 20)
            identity.append(("--targets", "manifest XXH3-64 \(XXH3.hex(XXH3.digest(manifest)))"))
        }
        if let evaluationPath {
            let (size, digest) = try RangeDigester.digest(ofFile: evaluationPath)
            identity.append(("--eval", "\(size) bytes, XXH3-64 \(XXH3.hex(digest))"))
        }
        return identity + settings.options
    }

    /// The student's files OUT gets beside the tensors: its config and
    /// tokenizer files; with `--save-adapter` the tokenizer files and
    /// `adapter_config.json` (the config is the base model's, not OUT's).
    static func outputFiles(studentPath: String, settings: DistillSettings) throws -> [(name: String, bytes: [UInt8])] {
        var files: [(name: String, bytes: [UInt8])] = []
        let configNames = settings.savesAdapter ? [] : ["config.json", "generation_config.json"]
        if try FileSystem.status(studentPath)?.isDirectory != true {
            // A GGUF student: its config as `smelt convert` makes it (Float32), its tokenizer files.
            let plan = try GGUFConversionPlan(
                file: try GGUFFile(path: studentPath), dtype: .f32, rawNames: false, shardSizeLimit: .max)
            files += plan.files.filter { configNames.contains($0.name) }.map { ($0.name, $0.bytes) }
            files += try TokenizerSource.ggufTokenizerFiles(studentPath)
        } else {
            files += try folderFiles(studentPath, names: configNames)
        }
        if settings.savesAdapter, let rank = settings.loraRank {
            let config = PEFTAdapter.config(
                rank: rank, alpha: settings.loraAlpha ?? Double(rank), baseModel: studentPath)
            files.append((PEFTAdapter.configFileName, config))
        }
        return files
    }

    /// The config (`configNames`) and tokenizer files a model folder has.
    static func folderFiles(_ folder: String, names configNames: [String]) throws -> [(name: String, bytes: [UInt8])] {
        var files: [(name: String, bytes: [UInt8])] = []
        for name in configNames + [
            TokenizerSource.tokenizerFile, TokenizerSource.configFile, TokenizerSource.templateFile,
            "special_tokens_map.json",
        ] where try FileSystem.status(folder + "/" + name)?.isRegularFile == true {
            files.append((name, try FileSystem.readSmallFile(folder + "/" + name, limit: 1 << 30)))
        }
        return files
    }
}

extension DistillSettings {
    /// The settings the options give, each checked with a usage error that names it.
    init(_ arguments: ParsedArguments) throws(UsageError) {
        self.init()
        let options = arguments.options
        func number(_ name: String, _ range: ClosedRange<Double>) throws(UsageError) -> Double? {
            guard let text = options[name] else { return nil }
            guard let value = Double(text), value.isFinite, range.contains(value) else {
                throw UsageError(
                    message: "--\(name) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'"
                )
            }
            return value
        }
        func count(_ name: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int? {
            try options[name].map { (text) throws(UsageError) in
                try OptionValues.count(text, option: name, range: range)
            }
        }
        if options["steps"] != nil && options["epochs"] != nil {
            throw UsageError(message: "give --steps or --epochs, not both")
        }
        lambda = try number("lambda", 0...1) ?? lambda
        learningRate = try number("lr", 0...1) ?? learningRate
        steps = try count("steps", 1...10_000_000)
        epochs = try count("epochs", 1...100_000) ?? epochs
        batchTokens = try count("batch-tokens", 1...1 << 24) ?? batchTokens
        microBatchTokens = try count("micro-batch-tokens", 1...1 << 24)
        warmupSteps = try count("warmup", 0...10_000_000) ?? warmupSteps
        weightDecay = try number("weight-decay", 0...1) ?? weightDecay
        checkpointSteps = try count("checkpoint-steps", 1...10_000_000) ?? checkpointSteps
        seed = UInt64(try count("seed", 0...Int.max) ?? 0)
        loraRank = try count("lora-rank", 1...4_096)
        loraAlpha = try number("lora-alpha", 1e-6...1e6)
        if loraAlpha != nil && loraRank == nil { throw UsageError(message: "--lora-alpha needs --lora-rank") }
        evaluationSteps = try count("eval-steps", 1...10_000_000)
        if options["eval"] != nil {
            evaluationSteps = evaluationSteps ?? checkpointSteps
        } else if evaluationSteps != nil {
            throw UsageError(message: "--eval-steps needs --eval")
        }
        savesAdapter = arguments.flags.contains("save-adapter")
        if savesAdapter && loraRank == nil {
            throw UsageError(message: "--save-adapter needs --lora-rank: full fine-tuning has no adapter to save")
        }
    }
}
