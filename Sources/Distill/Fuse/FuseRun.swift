import Base
import Model
import Tokenize

/// One teacher of a fusion: its cache, and the encoder of the model that
/// made it (nil when that model's tokenizer is the target's: the cache is
/// then used position for position).
public struct FuseTeacher: Sendable {
    public let cache: LogitCache
    public let encoder: RecordEncoder?

    public init(cache: LogitCache, encoder: RecordEncoder?) {
        self.cache = cache
        self.encoder = encoder
    }
}

/// `smelt fuse` as a library call: reads DATA a batch of records at a
/// time, tokenises each record for the target and every teacher, checks
/// the teachers' cached tokens against their tokenizers, aligns, maps and
/// fuses on worker threads, and appends the fused records in order to a
/// logit cache in the target's vocabulary, with a note per record in
/// `fusion.smsp` (`FusionNote`). `--map stat` first learns its maps in a
/// pass over the data and keeps them in `vocabulary-map.tsv`. Resumable
/// (the writer keeps finished records) and deterministic: every byte is a
/// function of the inputs and the options, whatever the thread count.
public final class FuseRun: Sendable {
    public static let notesName = "fusion.smsp"
    public static let mapName = "vocabulary-map.tsv"

    let dataPath: String
    let target: RecordEncoder
    let targetBytes: VocabularyBytes
    let teachers: [FuseTeacher]
    let teacherBytes: [VocabularyBytes?]
    let options: FuseOptions
    let threads: Int
    /// Records a batch reads and fuses at a time.
    let batchRecords: Int

    public init(
        dataPath: String, target: RecordEncoder, targetVocabularySize: Int, teachers: [FuseTeacher],
        options: FuseOptions, threads: Int, budgetBytes: UInt64
    ) {
        self.dataPath = dataPath
        self.target = target
        self.teachers = teachers
        self.options = options
        self.threads = max(1, threads)
        targetBytes = VocabularyBytes(tokenizer: target.tokenizer, count: targetVocabularySize)
        teacherBytes = teachers.map { teacher in
            teacher.encoder.map {
                VocabularyBytes(tokenizer: $0.tokenizer, count: teacher.cache.manifest.identity.vocabularySize)
            }
        }
        // About 64 KiB per record in flight (a few hundred tokens, every teacher's top-K).
        batchRecords = Int(max(UInt64(self.threads), min(4_096, budgetBytes / 4 / 65_536)))
    }

    /// Runs the fusion into `writer` (staged, possibly resumed) and publishes it.
    public func run(
        into writer: LogitCacheWriter, progress: (_ records: Int, _ tokens: Int) -> Void = { _, _ in }
    ) throws -> (manifest: LogitCacheManifest, summary: FuseSummary) {
        let maps = try makeMaps(stagingPath: writer.staging.workPath)
        var summary = FuseSummary(teacherCount: teachers.count)
        for payload in writer.keptSidecars {
            summary.add(try FusionNote(bytes: payload, place: writer.staging.path + "/" + Self.notesName))
        }
        summary.records = writer.keptRecordCount
        summary.tokens = writer.entries.reduce(0) { $0 + $1.tokens }
        progress(summary.records, summary.tokens)
        let resumeFrom = writer.keptRecordCount
        var ordinal = 0
        try forEachBatch { batch in
            let first = ordinal
            ordinal += batch.count
            guard first + batch.count > resumeFrom else { return }
            let skip = max(0, resumeFrom - first)
            let work = Array(batch[skip...])
            let outputs = try fuseBatch(work, firstOrdinal: first + skip, maps: maps)
            for output in outputs {
                try writer.append(output.entry, payload: output.payload, sidecar: output.note.bytes)
                summary.add(output.note)
                summary.records += 1
                summary.tokens += output.entry.tokens
                FaultInjection.delayPoint("fuse.record")
            }
            progress(summary.records, summary.tokens)
        }
        for teacher in teachers { try teacher.cache.checkRecordCount(ordinal) }
        let manifest = try writer.publish(extraFiles: options.mapping == .stat ? [Self.mapName] : [])
        return (manifest, summary)
    }

    /// Each teacher's vocabulary map (the identity for a teacher with the
    /// target's tokenizer). `--map stat` learns its maps in a first pass
    /// over the data and keeps them in `vocabulary-map.tsv` in `stagingPath`.
    private func makeMaps(stagingPath: String) throws -> [VocabularyMap] {
        let exactTables = teacherBytes.map { $0.map { VocabularyMap.exactTable(teacher: $0, target: targetBytes) } }
        let nearest = options.mapping == .edit ? NearestTokenIndex(tokens: targetBytes.tokens) : nil
        var maps = zip(teacherBytes, exactTables).map { bytes, exact -> VocabularyMap in
            guard let bytes, let exact else { return VocabularyMap.identity(count: targetBytes.count) }
            let mapping = options.mapping == .stat ? .exact : options.mapping
            return VocabularyMap.make(mapping, exact: exact, teacher: bytes, nearest: nearest)
        }
        guard options.mapping == .stat else { return maps }
        var lines = "teacher\tteacher_id\ttarget_id\taligned_count\n"
        for (index, choices) in try learnStatisticalMaps(exactMaps: maps, exactTables: exactTables).enumerated() {
            guard let exact = exactTables[index] else { continue }
            maps[index] = VocabularyMap.statistical(
                exact: exact, learned: Dictionary(uniqueKeysWithValues: choices.map { ($0.teacherID, $0.targetID) }))
            for choice in choices { lines += "\(index)\t\(choice.teacherID)\t\(choice.targetID)\t\(choice.count)\n" }
        }
        try FileSystem.writeFileAtomically(stagingPath + "/" + Self.mapName, bytes: Array(lines.utf8))
        return maps
    }

    struct Output: Sendable {
        let entry: LogitCacheEntry
        let payload: [UInt8]
        let note: FusionNote
    }

    /// The records of DATA in order, a batch of lines at a time.
    private func forEachBatch(_ body: ([(line: Int, bytes: [UInt8])]) throws -> Void) throws {
        var lines = try JSONLines(path: dataPath)
        while true {
            let batch = try lines.nextBatch(count: batchRecords)
            if batch.isEmpty { return }
            try body(batch)
        }
    }

    /// How messages name a record: its id and line.
    static func name(_ record: DataRecord) -> String { "\(record.id.rendered()) (line \(record.line))" }

    /// One record's target and teacher tokens, checked against the caches.
    struct Encoded: Sendable {
        let record: DataRecord
        let target: FusionTokens
        let lossMask: [Bool]
        let teachers: [FusionTokens?]
    }

    private func encode(
        _ line: (line: Int, bytes: [UInt8]), ordinal: Int, workspace: Workspaces
    ) throws -> Encoded {
        let record = try line.bytes.withUnsafeBytes { try DataRecord(json: $0, file: dataPath, line: line.line) }
        let isText: Bool
        if case .text = record.content { isText = true } else { isText = false }
        let targetEncoding = try target.encode(record, workspace: workspace.target)
        let tokens = try RecordTokens(record, targetEncoding, maxTokens: LogitCodec.maximumTokenCount)
        var teacherTokens: [FusionTokens?] = []
        for (index, teacher) in teachers.enumerated() {
            let encoding =
                try teacher.encoder.map { try $0.encode(record, workspace: workspace.teachers[index]) }
                ?? targetEncoding
            try teacher.cache.checkEntry(
                ordinal: ordinal, line: record.line, tokens: encoding.encoding.ids.count, record: Self.name(record))
            teacherTokens.append(teacher.encoder == nil ? nil : FusionTokens(encoding, isText: isText))
        }
        return Encoded(
            record: record, target: FusionTokens(targetEncoding, isText: isText), lossMask: tokens.lossMask,
            teachers: teacherTokens)
    }

    private func fuseBatch(
        _ batch: [(line: Int, bytes: [UInt8])], firstOrdinal: Int, maps: [VocabularyMap]
    ) throws -> [Output] {
        let results = concurrentMap(
            count: batch.count, threads: threads, makeState: { Workspaces(count: self.teachers.count) }
        ) {
            index, workspace in
            Result { () throws -> Output in
                try self.fuseRecord(batch[index], ordinal: firstOrdinal + index, maps: maps, workspace: workspace)
            }
        }
        return try results.map { try $0.get() }
    }

    private func fuseRecord(
        _ line: (line: Int, bytes: [UInt8]), ordinal: Int, maps: [VocabularyMap], workspace: Workspaces
    ) throws -> Output {
        let encoded = try encode(line, ordinal: ordinal, workspace: workspace)
        var teacherRecords: [TeacherRecord] = []
        for (index, teacher) in teachers.enumerated() {
            let cached = try teacher.cache.record(
                at: ordinal, expecting: encoded.teachers[index]?.ids ?? encoded.target.ids,
                record: Self.name(encoded.record))
            teacherRecords.append(
                TeacherRecord(
                    tokens: encoded.teachers[index], record: cached, bytes: teacherBytes[index], map: maps[index]))
        }
        let (fused, note) = RecordFusion.fuse(
            ordinal: ordinal, target: encoded.target, targetBytes: targetBytes, lossMask: encoded.lossMask,
            teachers: teacherRecords, options: options)
        let scores = RecordFusion.scores(targetIDs: encoded.target.ids, fused: fused, topK: options.topK)
        let payload = try LogitCodec.encode(scores, lossMask: encoded.lossMask, vocabularySize: targetBytes.count)
        let entry = LogitCacheEntry(
            ordinal: ordinal, line: encoded.record.line, tokens: encoded.target.count, lossTokens: note.lossPositions,
            id: encoded.record.id.rendered())
        return Output(entry: entry, payload: payload, note: note)
    }

    /// The first pass of `--map stat`: alignment counts over the whole data
    /// set, per teacher, and the choices learned from them.
    private func learnStatisticalMaps(
        exactMaps: [VocabularyMap], exactTables: [[Int32]?]
    ) throws -> [[AlignmentCounts.Choice]] {
        var counts = [AlignmentCounts](repeating: AlignmentCounts(), count: teachers.count)
        var ordinal = 0
        try forEachBatch { batch in
            let first = ordinal
            ordinal += batch.count
            let results = concurrentMap(
                count: batch.count, threads: threads, makeState: { Workspaces(count: self.teachers.count) }
            ) {
                index, workspace in
                Result { () throws -> [AlignmentCounts] in
                    let encoded = try self.encode(batch[index], ordinal: first + index, workspace: workspace)
                    return self.teachers.indices.map { teacher in
                        var counts = AlignmentCounts()
                        guard let tokens = encoded.teachers[teacher], let bytes = self.teacherBytes[teacher] else {
                            return counts
                        }
                        let record = TeacherRecord(
                            tokens: tokens, record: CachedRecord.empty, bytes: bytes, map: exactMaps[teacher])
                        let alignment = RecordFusion.align(
                            target: encoded.target, targetBytes: self.targetBytes, teacher: record,
                            options: self.options)
                        counts.add(alignment, target: encoded.target, teacher: tokens)
                        return counts
                    }
                }
            }
            for result in results {
                for (teacher, partial) in try result.get().enumerated() { counts[teacher].merge(partial) }
            }
        }
        return teachers.indices.map { index in
            guard let bytes = teacherBytes[index], let exact = exactTables[index] else { return [] }
            return counts[index].choices(exact: exact, teacher: bytes, target: targetBytes)
        }
    }
}

/// One tokenizer workspace per model: a workspace's word cache belongs
/// to one tokenizer.
struct Workspaces {
    let target = TokenizerWorkspace()
    let teachers: [TokenizerWorkspace]

    init(count: Int) { teachers = (0..<count).map { _ in TokenizerWorkspace() } }
}

extension CachedRecord {
    /// No tokens: a placeholder where only the alignment is wanted.
    static let empty = CachedRecord(
        ids: [], lossMask: [], topK: 0, topIDs: [], topLogProbabilities: [], goldLogProbabilities: [], logSumExps: [])
}
