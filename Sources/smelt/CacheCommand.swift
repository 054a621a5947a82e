import Base
import Distill
import Model

/// `smelt cache dump|join|inspect|verify` (issue 16): reading, joining and
/// checking logit caches made by `smelt logits`.
enum CacheCommand: Command {
    static let name = "cache"
    static let overview = """
          cache dump|join|inspect|verify   read, join the shards of, summarise or check a logit cache
        """
    static let spec = ArgumentSpec(
        flags: ["json"], options: ["record"], positionalCount: 2...4_096, positionalNames: "SUBCOMMAND CACHE...")

    static let help = """
        usage: smelt cache dump CACHE [--record ID] [--json]
               smelt cache join CACHE SHARD...
               smelt cache inspect CACHE [--json]
               smelt cache verify CACHE

        Works on the logit caches that `smelt logits` writes.

          dump      prints the records: with --json one JSON object per record,
                    as `smelt score --json` prints them ({"id", "ids", "n_tokens",
                    "gold_logprob", "logsumexp", "top_ids", "top_logprobs",
                    "loss_mask", "mean_nll"}; values within 1e-3 of the
                    teacher's), else one line of text per record. --record ID
                    prints only the record with that id (a string id as
                    written, a number id or line number as digits).
          join      checks that the SHARDs (from `smelt logits --shard I/N`) are
                    shards 0..N-1 of one teacher, data file and K, each once,
                    and writes the whole cache to CACHE: the same bytes a
                    single run writes.
          inspect   the teacher, data file, K, records, tokens, bytes per token.
          verify    checks every file's size and XXH3-64 against the manifest,
                    every block of the index and the records (their own
                    XXH3-64), and decodes every record; names each damaged
                    file and offset (exit 1).

        exit codes: 0 done (verify: sound), 1 verify found damage, 64 usage,
        65 not a cache, a damaged cache or shards that do not join,
        66 missing, 73 CACHE exists (join), 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let positionals = arguments.positionals
        let json = arguments.flags.contains("json")
        switch positionals[0] {
        case "dump":
            try expect(positionals, count: 2)
            try dump(positionals[1], record: arguments.options["record"], json: json)
        case "join":
            guard positionals.count >= 3 else { throw UsageError(message: "join takes CACHE and at least one SHARD") }
            let manifest = try LogitCacheJoin.join(outputPath: positionals[1], shardPaths: Array(positionals[2...]))
            LogitsCommand.report(manifest, path: positionals[1], note: "joined", json: json)
        case "inspect":
            try expect(positionals, count: 2)
            try inspect(positionals[1], json: json)
        case "verify":
            try expect(positionals, count: 2)
            return verify(positionals[1])
        default:
            throw UsageError(message: "unknown subcommand '\(positionals[0])' (dump, join, inspect, verify)")
        }
        return .success
    }

    /// Whether `path` is a logit cache folder (`smelt inspect` and
    /// `smelt verify` hand those to this command).
    static func isCache(_ path: String) -> Bool {
        (try? FileSystem.status(path + "/" + LogitCacheManifest.fileName))??.isRegularFile == true
    }

    static func verify(_ path: String) -> ExitCode {
        let problems = LogitCache.verify(path: path)
        for problem in problems { writeToStandardOutput("damaged: \(problem)\n") }
        if !problems.isEmpty { return .verificationFailed }
        writeToStandardOutput("\(path): sound\n")
        return .success
    }

    private static func expect(_ positionals: [String], count: Int) throws(UsageError) {
        guard positionals.count == count else {
            throw UsageError(message: "\(positionals[0]) takes one CACHE")
        }
    }

    private static func dump(_ path: String, record: String?, json: Bool) throws {
        let cache = try LogitCache(path: path)
        let indices = cache.entries.indices.filter { record == nil || matches(cache.entries[$0], record ?? "") }
        if let record, indices.isEmpty { throw LogitCacheFolderError.unknownRecord(id: record, cache: path) }
        for index in indices {
            let entry = cache.entries[index]
            let targets = try cache.targets(at: index)
            guard case .topK(let decoded) = targets else {
                if case .sampled(let record) = targets { dumpSampled(record, entry: entry, json: json) }
                continue
            }
            let scores = TokenScores(
                ids: decoded.ids.map { Int($0) }, topK: decoded.topK,
                goldLogProbabilities: decoded.goldLogProbabilities.map { Double($0) },
                logSumExps: decoded.logSumExps.map { Double($0) }, topIDs: decoded.topIDs,
                topLogProbabilities: decoded.topLogProbabilities.map { Double($0) })
            var sum = 0.0
            for (position, counts) in decoded.lossMask.enumerated() where counts {
                sum -= scores.goldLogProbabilities[position]
            }
            let mean = entry.lossTokens > 0 ? sum / Double(entry.lossTokens) : nil
            if json {
                writeToStandardOutput(
                    bytes: ScoreFormat.jsonLine(id: entry.id, scores: scores, lossMask: decoded.lossMask, meanNLL: mean)
                )
            } else {
                writeToStandardOutput(
                    "record \(entry.id) (line \(entry.line)): \(entry.tokens) tokens, \(entry.lossTokens) in the loss, "
                        + "mean NLL \(mean.map { Formatting.decimal($0, places: 4) } ?? "n/a")\n")
            }
        }
    }

    /// A sampled record: as a top-K one, with `sample_ids`, `sample_counts`
    /// and `sample_logprobs` (per position, the distinct ids drawn) in place
    /// of the top-K.
    private static func dumpSampled(_ record: SampledRecord<Float>, entry: LogitCacheEntry, json: Bool) {
        var sum = 0.0
        for (position, counts) in record.lossMask.enumerated() where counts {
            sum -= Double(record.goldLogProbabilities[position])
        }
        let mean = entry.lossTokens > 0 ? sum / Double(entry.lossTokens) : nil
        guard json else {
            writeToStandardOutput(
                "record \(entry.id) (line \(entry.line)): \(entry.tokens) tokens, \(entry.lossTokens) in the loss, "
                    + "mean NLL \(mean.map { Formatting.decimal($0, places: 4) } ?? "n/a"), sampled\n")
            return
        }
        let numbers = { (values: [Float]) in JSONOutput.array(values.map { .number(Float($0).description) }) }
        let object = JSONOutput.object([
            ("id", .number(entry.id)), ("ids", .array(record.ids.map { .integer(Int64($0)) })),
            ("n_tokens", .integer(Int64(record.ids.count))), ("gold_logprob", numbers(record.goldLogProbabilities)),
            ("logsumexp", numbers(record.logSumExps)),
            ("sample_ids", .array(record.positions.map { .array($0.ids.map { .integer(Int64($0)) }) })),
            ("sample_counts", .array(record.positions.map { .array($0.counts.map { .integer(Int64($0)) }) })),
            ("sample_logprobs", .array(record.positions.map { numbers($0.logProbabilities) })),
            ("loss_mask", .array(record.lossMask.map { .bool($0) })),
            ("mean_nll", mean.map { .number(Float($0).description) } ?? .null),
        ])
        writeToStandardOutput(object.rendered() + "\n")
    }

    /// Whether `id` names the entry: its id as JSON text, or a string id's text.
    private static func matches(_ entry: LogitCacheEntry, _ id: String) -> Bool {
        entry.id == id || entry.id == JSONOutput.string(id).rendered()
    }

    static func inspect(_ path: String, json: Bool) throws {
        let manifest = try LogitCacheManifest(folder: path)
        let identity = manifest.identity
        if json {
            writeToStandardOutput(bytes: manifest.rendered())
            return
        }
        let bytes = manifest.files.reduce(UInt64(manifest.rendered().count)) { $0 + $1.size }
        let perToken = Formatting.decimal(Double(bytes) / Double(max(1, manifest.tokenCount)), places: 1)
        let teacher = "\(identity.teacherName) (vocabulary \(identity.vocabularySize), "
            + "config \(XXH3.hex(identity.configDigest)))"
        writeToStandardOutput(
            """
            logit cache \(path)\(manifest.shard.map { " (shard \($0.index)/\($0.count))" } ?? "")
              teacher   \(teacher)
              data      \(identity.dataName), \(identity.dataSize) bytes, XXH3-64 \(XXH3.hex(identity.dataDigest))
              top-K     \(identity.topK)
              records   \(manifest.recordCount), \(manifest.tokenCount) tokens (\(manifest.lossTokenCount) in the loss)
              bytes     \(bytes) (\(perToken) per token)
              made by   Smelt \(identity.version)

            """)
        if let fusion = identity.fusion {
            writeToStandardOutput(
                "  fused     --align \(fusion.alignment) --map \(fusion.mapping) --fusion \(fusion.method) from "
                    + fusion.teachers.map { "\($0.name) (manifest \(XXH3.hex($0.manifestDigest)))" }.joined(separator: ", ")
                    + "\n")
        }
    }
}
