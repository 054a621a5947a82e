import Base
import Distill
import Model
import Tokenize

/// `smelt logits MODEL DATA.jsonl CACHE [options]` (issue 16).
enum LogitsCommand: Command {
    static let name = "logits"
    static let overview = """
          logits MODEL DATA.jsonl CACHE    a teacher's next-token distributions over data records,
                                           kept in a compact, resumable logit cache
        """
    static let spec = ArgumentSpec(
        flags: ["json", "quiet", "restart"],
        options: [
            "top-k", "sample", "temperature", "seed", "shard", "threads", "memory-budget", "max-tokens", "chat-template",
        ],
        positionalCount: 3...3, positionalNames: "MODEL DATA.jsonl CACHE")

    static let help = """
        usage: smelt logits MODEL DATA.jsonl CACHE [options]

        Runs the teacher MODEL over every record of DATA.jsonl, as `smelt score`
        does, and keeps per record its token ids, loss mask and per position the
        top-K next tokens with their log-probabilities, the gold token's
        log-probability and the log-sum-exp, in the folder CACHE: the input of
        `smelt fuse` and `smelt distill`. Every value is kept within 1e-3 nats
        (a 1/512 grid), in about 27 bytes per token at K = 10 (FuseLLM's layout
        takes 100). Read it back with `smelt cache dump CACHE`.

        CACHE is published like a merge: staged in the hidden sibling
        .CACHE.smelt-partial and renamed into place when complete. It holds
          smelt-cache.json  the manifest: teacher (config, tokenizer and weight
                            digests), data file (name, size, XXH3-64), K, counts,
                            each file's size and XXH3-64
          index.smsp        one entry per record (ordinal, line, id, tokens,
                            offset), for random access
          records.smsp      one self-checking LZ4 block per record, in order
          smelt-run.json    the history of the runs that made it
        Every file but smelt-run.json is a function of the teacher, the data, K
        and the Smelt version alone: the same bytes for any --threads,
        --memory-budget or machine of the same CPU kind.

        A killed run loses at most the records of its forward batch: run the
        same command again and it continues where the staged records end. A
        rerun with another teacher, data file, K, --shard or Smelt version is
        refused (73) naming what changed; --restart discards the staged work.

        Scale-out: --shard I/N computes only the records whose ordinal (their
        place among the data file's records, from 0) is I mod N, into a shard
        folder; `smelt cache join CACHE SHARD...` joins N shards into exactly
        the bytes of a single run. Each shard is one task of a Slurm job array
        or a Kubernetes Indexed Job (tools/slurm-logits.sh, tools/k8s-logits.yaml).

        options:
          --top-k K              next tokens kept per position (default 10)
          --sample N             keep instead N draws per position from the
                                 teacher's distribution (random-sampling
                                 distillation, arXiv 2503.16870; about 12 is
                                 typical): the distinct ids drawn, how often
                                 each was, and the teacher's log-probability of
                                 each; unbiased where the top-K is not
          --temperature T        draw from softmax(logits / T) (default 1)
          --seed S               the draws' seed (default 0); a draw depends
                                 only on the seed, the record's tokens, the
                                 position and its number
          --shard I/N            compute shard I of N (0 ≤ I < N)
          --chat-template FILE   use this Jinja chat template instead of the model's
          --max-tokens N         refuse records longer than N tokens (default:
                                 the model's max_position_embeddings)
          --memory-budget SIZE   peak memory for weights and activations (default:
                                 1G or a quarter of RAM)
          --threads N            worker threads (default: online CPUs)
          --restart              discard the staged work of an interrupted run
          --json                 print the result as one JSON object
          --quiet                no progress bar
          -h, --help             show this help

        examples:
          smelt logits qwen2.5-0.5b train.jsonl qwen.cache
          smelt logits qwen2.5-0.5b train.jsonl qwen.part-3 --shard 3/8
          smelt cache join qwen.cache qwen.part-*

        exit codes: 0 done (or already done), 64 usage, 65 malformed model,
        data line, or record, 66 MODEL or DATA missing, 73 CACHE exists with
        other contents or the staged run is another one's, 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let threads = try OptionValues.threadCount(arguments)
        let budgetBytes = try OptionValues.memoryBudgetBytes(arguments)
        let requestedTopK =
            try arguments.options["top-k"].map { (text) throws(UsageError) in
                try OptionValues.count(text, option: "top-k", range: 0...LogitCodec.maximumTopK)
            } ?? 10
        let maxTokens = try arguments.options["max-tokens"].map { (text) throws(UsageError) in
            try OptionValues.count(text, option: "max-tokens", range: 1...LogitCodec.maximumTokenCount)
        }
        let shard = try arguments.options["shard"].map { (text) throws(UsageError) in try shardOption(text) }
        let sampling = try samplingOption(arguments)
        let (modelPath, dataPath, cachePath) = (
            arguments.positionals[0], arguments.positionals[1], arguments.positionals[2]
        )
        let templatePath = arguments.options["chat-template"]
        let model = try LanguageModel.open(path: modelPath)
        let encoder = try TokenizerSource.encoder(for: modelPath, chatTemplatePath: templatePath)
        let vocabularySize = model.config.vocabularySize
        let topK = sampling == nil ? min(requestedTopK, vocabularySize) : 0
        let identity = try TeacherIdentity.make(
            modelPath: modelPath, chatTemplatePath: templatePath, dataPath: dataPath, topK: topK,
            vocabularySize: vocabularySize, sampling: sampling)
        let json = arguments.flags.contains("json")
        if try FileSystem.status(cachePath) != nil {
            let existing = try? LogitCacheManifest(folder: cachePath)
            guard let existing, existing.identity == identity, existing.shard == shard else {
                throw LogitCacheFolderError.outputExists(
                    path: cachePath,
                    reason: existing.map {
                        "holds another cache (\($0.identity.difference(from: identity) ?? "another shard"))"
                    }
                        ?? "is not a logit cache")
            }
            report(existing, path: cachePath, note: "already complete", json: json)
            return .success
        }
        let writer = try LogitCacheWriter(
            outputPath: cachePath, identity: identity, shard: shard, restart: arguments.flags.contains("restart"))
        let step = shard?.count ?? 1
        let first = shard?.index ?? 0
        for (position, entry) in writer.entries.enumerated() where entry.ordinal != first + position * step {
            throw LogitCacheFolderError.resumeRefused(
                stagingPath: writer.staging.path, reason: "its records are not the first of this shard")
        }
        let resumeFrom = first + writer.keptRecordCount * step
        let showsProgress = !arguments.flags.contains("quiet") && !json
        if writer.keptRecordCount > 0 && showsProgress {
            writeToStandardError("resuming: \(writer.keptRecordCount) records kept from an interrupted run")
        }
        let run = ScoreRun(
            model: model, encoder: encoder, topK: topK,
            sampling: sampling,
            maxTokens: maxTokens ?? model.config.contextLength,
            threads: threads, budget: ByteBudget(limitBytes: budgetBytes), json: json, showsProgress: showsProgress)
        do {
            try run.forEachBatch(
                dataPath, label: "logits",
                isSelected: { $0 >= resumeFrom && (shard?.contains(ordinal: $0) ?? true) }
            ) { results in
                for result in results {
                    let payload = try encode(result, vocabularySize: vocabularySize, sampled: sampling != nil)
                    try writer.append(
                        LogitCacheEntry(
                            ordinal: result.item.ordinal, line: result.item.record.line, tokens: result.item.ids.count,
                            lossTokens: result.lossCount, id: result.item.record.id.rendered()),
                        payload: payload)
                    FaultInjection.delayPoint("logits.record")
                }
            }
        } catch {
            writer.recordOutcome("failed")
            throw error
        }
        let manifest = try writer.publish()
        report(manifest, path: cachePath, note: writer.keptRecordCount > 0 ? "resumed" : nil, json: json)
        return .success
    }

    /// The cache bytes of one scored record: its top-K, or its draws.
    static func encode(_ result: RecordResult, vocabularySize: Int, sampled: Bool) throws -> [UInt8] {
        let scores = result.scores
        guard sampled else {
            return try LogitCodec.encode(scores, lossMask: result.item.lossMask, vocabularySize: vocabularySize)
        }
        let record = SampledRecord(
            ids: scores.ids.map { Int32($0) }, lossMask: result.item.lossMask,
            goldLogProbabilities: scores.goldLogProbabilities, logSumExps: scores.logSumExps,
            positions: scores.draws.map {
                SampledPosition(ids: $0.ids, counts: $0.counts, logProbabilities: $0.logProbabilities)
            })
        return try LogitCodec.encodeSampled(record, vocabularySize: vocabularySize)
    }

    /// `--sample N [--temperature T] [--seed S]`, or nil.
    static func samplingOption(_ arguments: ParsedArguments) throws(UsageError) -> TokenSampling? {
        guard let text = arguments.options["sample"] else {
            for option in ["temperature", "seed"] where arguments.options[option] != nil {
                throw UsageError(message: "--\(option) goes with --sample")
            }
            return nil
        }
        let count = try OptionValues.count(text, option: "sample", range: 1...Int(UInt16.max))
        let temperatureText = arguments.options["temperature"] ?? "1"
        guard let temperature = Double(temperatureText), temperature.isFinite, temperature >= 0.01, temperature <= 100
        else {
            throw UsageError(message: "--temperature must be a number from 0.01 to 100, not '\(temperatureText)'")
        }
        let seed = try arguments.options["seed"].map { (text) throws(UsageError) in
            try OptionValues.count(text, option: "seed", range: 0...Int.max)
        } ?? 0
        return TokenSampling(count: count, temperature: temperature, seed: UInt64(seed))
    }

    /// `I/N` with 0 ≤ I < N.
    static func shardOption(_ text: String) throws(UsageError) -> LogitCacheManifest.Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, count <= 1 << 20,
            index >= 0, index < count
        else {
            throw UsageError(message: "--shard must be I/N with 0 ≤ I < N (such as 0/4), not '\(text)'")
        }
        return LogitCacheManifest.Shard(index: index, count: count)
    }

    static func report(_ manifest: LogitCacheManifest, path: String, note: String?, json: Bool) {
        let bytes = manifest.files.reduce(UInt64(manifest.rendered().count)) { $0 + $1.size }
        let perToken = Double(bytes) / Double(max(1, manifest.tokenCount))
        let targets = manifest.identity.sampling.map { "\($0.count) draws (T = \($0.temperature))" }
            ?? "K = \(manifest.identity.topK)"
        if json {
            let object = JSONOutput.object([
                ("cache", .string(path)), ("records", .integer(Int64(manifest.recordCount))),
                ("tokens", .integer(Int64(manifest.tokenCount))), ("bytes", .unsigned(bytes)),
                ("bytes_per_token", .double(perToken)), ("top_k", .integer(Int64(manifest.identity.topK))),
                ("sample", manifest.identity.sampling.map { .integer(Int64($0.count)) } ?? .null),
                ("note", note.map(JSONOutput.string) ?? .null),
            ])
            writeToStandardOutput(object.rendered() + "\n")
        } else {
            writeToStandardOutput(
                "\(path): \(manifest.recordCount) records, \(manifest.tokenCount) tokens, "
                    + "\(targets), "
                    + "\(bytes) bytes (\(Formatting.decimal(perToken, places: 1)) per token)"
                    + (note.map { " (\($0))" } ?? "") + "\n")
        }
    }
}
