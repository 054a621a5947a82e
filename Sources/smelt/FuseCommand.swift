import Base
import Distill
import Model
import Tokenize

/// `smelt fuse TARGET DATA.jsonl OUT --teacher CACHE[=MODEL] ...` (issue 18).
enum FuseCommand: Command {
    static let name = "fuse"
    static let overview = """
          fuse TARGET DATA.jsonl OUT --teacher CACHE[=MODEL]...
                                           align teachers of other vocabularies to the target and fuse
                                           their cached distributions into one logit cache
        """
    static let spec = ArgumentSpec(
        flags: ["json", "quiet", "restart"],
        options: ["align", "map", "fusion", "top-k", "band", "threads", "memory-budget", "chat-template"],
        positionalCount: 3...3, positionalNames: "TARGET DATA.jsonl OUT", repeatedOptions: ["teacher"])

    static let help = """
        usage: smelt fuse TARGET DATA.jsonl OUT --teacher CACHE[=MODEL] [--teacher ...] [options]

        Heterogeneous fusion (FuseLLM, FuseChat): each teacher's logit cache,
        made by `smelt logits` over DATA.jsonl in the teacher's own tokens, is
        aligned token by token to the target's tokenisation of every record,
        its top-K ids are mapped into the target vocabulary, and the teachers
        are fused into one distribution per target position. OUT is a logit
        cache in the target's vocabulary (`smelt cache dump/inspect/verify`
        read it; `smelt distill --targets OUT` trains on it).

        TARGET is the target model (folder or .gguf): its tokenizer and chat
        template tokenise DATA exactly as `smelt score` does. MODEL is the
        teacher's model, whose tokenizer gives each record's tokens and
        character offsets; it may be left out for a cache made by a model
        with the target's own tokenizer (the target itself as a teacher). The
        cached tokens are checked against the tokenizer, record by record.

        Chat records are rendered by each model with its own template: only
        the content they share (each message's content, a completion) is
        aligned, piece by piece; template tokens fall back to one-hot.

        --align offsets   (default) match tokens by the text they cover: a
                          target position takes the distribution of the
                          teacher position whose prefix ends at the same
                          character of the content
        --align dtw       FuseLLM's dynamic time warping on token strings
                          (word-boundary markers removed, byte pieces
                          decoded), edit distance as the cost, within a band
                          of --band tokens around the diagonal (default 128)
        --map exact       (default) a teacher id maps to the target token of
                          the same bytes; others are dropped
        --map edit        else to the nearest target token by edit distance
                          (FuseLLM's soft mapping; ties: the smaller id)
        --map stat        else to the target token it was most often aligned
                          with over DATA (FuseChat 2; a first pass learns it,
                          kept in OUT/vocabulary-map.tsv)
        --fusion minCE    (default) per record, the teacher with the lowest
                          cross-entropy on its loss positions
        --fusion avgCE    every teacher, weighted by softmax(-cross-entropy)
        Mapped mass is renormalised per position, as FuseLLM does; a position
        no teacher covers is one-hot on the gold token.

        OUT is published like every output (staged in .OUT.smelt-partial,
        one rename); a killed run resumes where its records end, and the
        bytes are the same for any --threads or --memory-budget. Beside the
        cache files it holds fusion.smsp, a note per record (each teacher's
        cross-entropy, weight, and alignment counts).

        options:
          --teacher CACHE[=MODEL[,TEMPLATE]]
                                   a teacher cache (repeat for each teacher),
                                   its model, and the --chat-template it was
                                   made with, if any
          --align offsets|dtw      token alignment (default offsets)
          --map exact|edit|stat    vocabulary mapping (default exact)
          --fusion minCE|avgCE     fusion of the teachers (default minCE)
          --top-k K                entries per position kept (default: the
                                   teachers' K)
          --band N                 half-width of the DTW band (default 128)
          --chat-template FILE     the target's chat template instead of its own
          --memory-budget SIZE     memory for records in flight (default 1G
                                   or a quarter of RAM)
          --threads N              worker threads (default: online CPUs)
          --restart                discard the staged work of an interrupted run
          --json                   print the summary as one JSON object
          --quiet                  no progress line
          -h, --help               show this help

        example:
          smelt logits qwen2.5-coder-0.5b.gguf train.jsonl qwen.cache
          smelt logits gemma-3-270m.gguf train.jsonl gemma.cache
          smelt fuse smollm2-135m train.jsonl fused.cache \\
              --teacher qwen.cache=qwen2.5-coder-0.5b.gguf --teacher gemma.cache=gemma-3-270m.gguf

        exit codes: 0 done (or already done), 64 usage, 65 caches over other
        data, missing records, cached tokens that are not the tokenizer's,
        teachers of different K, a malformed data line, 66 TARGET, DATA, a
        cache or a tokenizer missing, 73 OUT exists with other contents or the
        staged run is another one's, 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let threads = try OptionValues.threadCount(arguments)
        let budgetBytes = try OptionValues.memoryBudgetBytes(arguments)
        var options = FuseOptions()
        options.alignment = try choice(arguments, "align", default: .offsets)
        options.mapping = try choice(arguments, "map", default: .exact)
        options.method = try choice(arguments, "fusion", default: .minCE)
        if let text = arguments.options["band"] {
            options.band = try OptionValues.count(text, option: "band", range: 1...1 << 20)
        }
        let (targetPath, dataPath, outputPath) = (
            arguments.positionals[0], arguments.positionals[1], arguments.positionals[2]
        )
        let teacherArguments = arguments.repeatedOptions["teacher"] ?? []
        guard !teacherArguments.isEmpty else { throw UsageError(message: "give at least one --teacher CACHE[=MODEL]") }
        let templatePath = arguments.options["chat-template"]
        let target = try TokenizerSource.encoder(for: targetPath, chatTemplatePath: templatePath)
        let vocabularySize = try LanguageModel.open(path: targetPath).config.vocabularySize
        let targetIdentity = try TeacherIdentity.make(
            modelPath: targetPath, chatTemplatePath: templatePath, dataPath: dataPath, topK: 0,
            vocabularySize: vocabularySize, sampling: nil, includingWeights: false)
        var teachers: [FuseTeacher] = []
        var settings: [FusionSettings.Teacher] = []
        for argument in teacherArguments {
            let teacher = try openTeacher(argument, targetIdentity: targetIdentity)
            teachers.append(teacher)
            let manifestBytes = try FileSystem.readSmallFile(
                teacher.cache.path + "/" + LogitCacheManifest.fileName, limit: 64 << 20)
            settings.append(
                .init(name: teacher.cache.path.lastPathComponent, manifestDigest: XXH3.digest(manifestBytes)))
        }
        let topK = teachers[0].cache.manifest.identity.topK
        for teacher in teachers where teacher.cache.manifest.identity.topK != topK {
            throw FuseError.incompatible(
                cache: teacher.cache.path,
                reason: "its K is \(teacher.cache.manifest.identity.topK), \(teachers[0].cache.path)'s is \(topK)")
        }
        options.topK =
            try arguments.options["top-k"].map { (text) throws(UsageError) in
                try OptionValues.count(text, option: "top-k", range: 1...LogitCodec.maximumTopK)
            } ?? topK
        let fusion = FusionSettings(
            alignment: options.alignment.rawValue, band: options.alignment == .dtw ? options.band : nil,
            mapping: options.mapping.rawValue, method: options.method.rawValue,
            teachers: settings)
        let identity = LogitCacheIdentity(
            teacherName: targetIdentity.teacherName, configDigest: targetIdentity.configDigest,
            tokenizerDigest: targetIdentity.tokenizerDigest, weights: [], dataName: targetIdentity.dataName,
            dataSize: targetIdentity.dataSize, dataDigest: targetIdentity.dataDigest, topK: options.topK,
            vocabularySize: vocabularySize, fusion: fusion)
        let json = arguments.flags.contains("json")
        let names = teachers.map(\.cache.path)
        if try FileSystem.status(outputPath) != nil {
            let existing = try? LogitCacheManifest(folder: outputPath)
            guard let existing, existing.identity == identity else {
                throw LogitCacheFolderError.outputExists(
                    path: outputPath,
                    reason: existing.map { "holds another cache (\($0.identity.difference(from: identity) ?? ""))" }
                        ?? "is not a logit cache")
            }
            LogitsCommand.report(existing, path: outputPath, note: "already complete", json: json)
            return .success
        }
        let writer = try LogitCacheWriter(
            outputPath: outputPath, identity: identity, shard: nil, restart: arguments.flags.contains("restart"),
            sidecarName: FuseRun.notesName)
        let showsProgress = !arguments.flags.contains("quiet") && !json
        if writer.keptRecordCount > 0 && showsProgress {
            writeToStandardError("resuming: \(writer.keptRecordCount) records kept from an interrupted run")
        }
        let run = FuseRun(
            dataPath: dataPath, target: target, targetVocabularySize: vocabularySize, teachers: teachers,
            options: options, threads: threads, budgetBytes: budgetBytes)
        let progress = FuseProgress(totalRecords: teachers[0].cache.entries.count, enabled: showsProgress)
        let result: (manifest: LogitCacheManifest, summary: FuseSummary)
        do {
            result = try run.run(into: writer) { records, tokens in progress.show(records: records, tokens: tokens) }
        } catch {
            progress.finish()
            writer.recordOutcome("failed")
            throw error
        }
        progress.finish()
        FuseReport.print(
            result.summary, manifest: result.manifest, path: outputPath, names: names, options: options,
            seconds: progress.elapsedSeconds, json: json)
        return .success
    }

    /// `--NAME VALUE` as one of `T`'s cases.
    static func choice<T: RawRepresentable & CaseIterable>(
        _ arguments: ParsedArguments, _ name: String, default value: T
    ) throws(UsageError) -> T where T.RawValue == String {
        guard let text = arguments.options[name] else { return value }
        guard let chosen = T.allCases.first(where: { $0.rawValue == text }) else {
            throw UsageError(
                message: "--\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'"
            )
        }
        return chosen
    }

    /// `CACHE`, `CACHE=MODEL` or `CACHE=MODEL,TEMPLATE`: the cache, checked
    /// against the data, and the encoder of the model that made it (with
    /// the chat template it was given, if any).
    static func openTeacher(_ argument: String, targetIdentity: LogitCacheIdentity) throws -> FuseTeacher {
        var cachePath = argument
        var modelPath: String?
        var templatePath: String?
        if try FileSystem.status(argument) == nil, let equals = argument.firstIndex(of: "=") {
            cachePath = String(argument[..<equals])
            var model = String(argument[argument.index(after: equals)...])
            if try FileSystem.status(model) == nil, let comma = model.lastIndex(of: ",") {
                templatePath = String(model[model.index(after: comma)...])
                model = String(model[..<comma])
            }
            modelPath = model
        }
        guard try FileSystem.status(cachePath) != nil else {
            throw MissingInputError(path: cachePath, what: "teacher cache")
        }
        let cache = try LogitCache(path: cachePath)
        let identity = cache.manifest.identity
        try cache.checkTopK(
            over: (targetIdentity.dataName, targetIdentity.dataSize, targetIdentity.dataDigest))
        guard let modelPath else {
            guard identity.tokenizerDigest == targetIdentity.tokenizerDigest,
                identity.vocabularySize == targetIdentity.vocabularySize
            else { throw FuseError.teacherModelNeeded(cache: cachePath) }
            return FuseTeacher(cache: cache, encoder: nil)
        }
        let teacherIdentity = try TeacherIdentity.make(
            modelPath: modelPath, chatTemplatePath: templatePath, dataPath: nil, topK: 0,
            vocabularySize: identity.vocabularySize, sampling: nil, includingWeights: false)
        guard teacherIdentity.tokenizerDigest == identity.tokenizerDigest else {
            throw FuseError.otherTokenizer(cache: cachePath, model: modelPath)
        }
        let encoder = try TokenizerSource.encoder(for: modelPath, chatTemplatePath: templatePath)
        return FuseTeacher(cache: cache, encoder: encoder)
    }
}
