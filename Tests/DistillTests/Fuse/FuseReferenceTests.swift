import Base
import Checkpoint
import Foundation
import TestSupport
import Testing
import Tokenize

@testable import Distill

/// `--align dtw --map edit --fusion minCE` (and avgCE, and `--map exact`)
/// against the FuseLLM reference (tools/fusellm_reference.py,
/// Fixtures/fuse/reference.json): the same tokens, the same DTW pairs, the
/// same vocabulary maps, and the same aligned and fused distributions
/// within 1e-4, on SmolLM2 (target), Qwen2.5 and Gemma 3 tokenisations of
/// 30 records. Offsets alignment agrees with DTW wherever both pair a
/// token one-to-one.
@Suite(.serialized) struct FuseReferenceTests {
    static let allPresent = RealModel.allCases.allSatisfy(\.isPresent)

    struct Models {
        let target: Tokenizer
        let targetBytes: VocabularyBytes
        let teachers: [Tokenizer]
        let teacherBytes: [VocabularyBytes]
        let editMaps: [VocabularyMap]
        let exactMaps: [VocabularyMap]
    }

    /// Loaded once for both tests: the tokenizers and the edit map's index
    /// take most of the time.
    static let shared = Result { try load() }

    static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestFiles.fixture("fuse/reference.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func tokenizer(_ model: RealModel) throws -> Tokenizer {
        let file = try GGUFFile(path: model.path)
        var files: [String: [UInt8]] = [:]
        for (name, bytes) in try GGUFTokenizerFiles.files(from: file.header.metadata) { files[name] = bytes }
        return try Tokenizer(json: try #require(files["tokenizer.json"]), file: model.rawValue)
    }

    static func load() throws -> Models {
        let target = try tokenizer(.smolLM2)
        let targetBytes = VocabularyBytes(tokenizer: target, count: 49_152)
        let teachers = [try tokenizer(.qwen2), try tokenizer(.gemma3)]
        let teacherBytes = [
            VocabularyBytes(tokenizer: teachers[0], count: 151_936),
            VocabularyBytes(tokenizer: teachers[1], count: teachers[1].idCount),
        ]
        let nearest = NearestTokenIndex(tokens: targetBytes.tokens)
        return Models(
            target: target, targetBytes: targetBytes, teachers: teachers, teacherBytes: teacherBytes,
            editMaps: teacherBytes.map {
                VocabularyMap.make(.edit, teacher: $0, target: targetBytes, nearest: nearest)
            },
            exactMaps: teacherBytes.map { VocabularyMap.make(.exact, teacher: $0, target: targetBytes, nearest: nil) })
    }

    static func tokens(_ tokenizer: Tokenizer, _ text: String) -> FusionTokens {
        let encoding = tokenizer.encode(text)
        return FusionTokens(
            ids: encoding.ids, offsets: encoding.offsets, contentSpans: [0..<text.unicodeScalars.count], isText: true)
    }

    static func cached(_ teacher: [String: Any]) throws -> CachedRecord {
        let ids = try #require(teacher["ids"] as? [Int]).map { Int32($0) }
        let top = try #require(teacher["top_ids"] as? [[Int]])
        let values = try #require(teacher["top_logprobs"] as? [[Double]])
        let gold = try #require(teacher["gold_logprobs"] as? [Double])
        return CachedRecord(
            ids: ids, lossMask: Array(repeating: true, count: ids.count - 1), topK: top.first?.count ?? 0,
            topIDs: top.flatMap { $0.map { Int32($0) } }, topLogProbabilities: values.flatMap { $0.map { Float($0) } },
            goldLogProbabilities: gold.map { Float($0) }, logSumExps: Array(repeating: 0, count: ids.count))
    }

    /// Rows of a reference distribution list against ours, within 1e-4.
    static func expectRows(
        _ expected: [String: Any], ids: (Int) -> [Int32], probabilities: (Int) -> [Double], count: Int,
        _ label: String
    ) throws {
        let expectedIDs = try #require(expected["ids"] as? [[Int]])
        let expectedProbabilities = try #require(expected["probs"] as? [[Double]])
        #expect(expectedIDs.count == count, "\(label): positions")
        for position in 0..<min(count, expectedIDs.count) {
            let ours = Dictionary(uniqueKeysWithValues: zip(ids(position), probabilities(position)))
            let theirs = Dictionary(
                uniqueKeysWithValues: zip(expectedIDs[position].map { Int32($0) }, expectedProbabilities[position]))
            #expect(Set(ours.keys) == Set(theirs.keys), "\(label) position \(position): ids")
            for (id, value) in theirs {
                #expect(abs((ours[id] ?? -1) - value) <= 1e-4, "\(label) position \(position) id \(id)")
            }
        }
    }

    @Test(.enabled(if: allPresent, "the three real GGUFs are needed: run tools/fetch-models.sh"))
    func dtwEditMinCEAndAvgCEMatchTheReference() throws {
        let models = try Self.shared.get()
        let records = try #require(try Self.reference()["records"] as? [[String: Any]])
        #expect(records.count == 30)
        for record in records {
            let name = try #require(record["id"] as? String)
            let text = try #require(record["text"] as? String)
            let target = Self.tokens(models.target, text)
            #expect(target.ids.map { Int($0) } == (record["target_ids"] as? [Int]), "\(name): target ids")
            let teachers = try #require(record["teachers"] as? [[String: Any]])
            var softRecords: [TeacherRecord] = []
            for (index, teacher) in teachers.enumerated() {
                let label = "\(name) teacher \(index)"
                let tokens = Self.tokens(models.teachers[index], text)
                let cached = try Self.cached(teacher)
                #expect(tokens.ids == cached.ids, "\(label): teacher ids")
                let soft = TeacherRecord(
                    tokens: tokens, record: cached, bytes: models.teacherBytes[index], map: models.editMaps[index])
                softRecords.append(soft)
                var options = FuseOptions()
                options.alignment = .dtw
                let alignment = RecordFusion.align(
                    target: target, targetBytes: models.targetBytes, teacher: soft, options: options)
                var warped = [[Int]](repeating: [], count: target.count)
                for (t, s) in zip(alignment.pairedTargets, alignment.pairedTeachers) { warped[Int(t)].append(Int(s)) }
                #expect(warped == (teacher["base_to_blending"] as? [[Int]]), "\(label): DTW pairs")
                for (mapName, map) in [("soft", models.editMaps[index]), ("hard", models.exactMaps[index])] {
                    let mapped = TeacherRecord(
                        tokens: tokens, record: cached, bytes: models.teacherBytes[index], map: map)
                    let aligned = RecordFusion.align(
                        target: target, targetBytes: models.targetBytes, teacher: mapped, options: options)
                    let distributions = AlignedDistributions(
                        targetIDs: target.ids, alignment: aligned, teacher: cached, map: map)
                    let expected = try #require(teacher[mapName] as? [String: Any])
                    let cases = try #require(expected["cases"] as? [String])
                    #expect(distributions.isAligned == cases.map { $0 == "aligned" }, "\(label) \(mapName): cases")
                    try Self.expectRows(
                        expected, ids: { Array(distributions.ids[distributions.row($0)]) },
                        probabilities: { Array(distributions.probabilities[distributions.row($0)]) },
                        count: distributions.count, "\(label) \(mapName)")
                }
                let offsets = OffsetAlignment.align(target: target, teacher: tokens)
                for position in 0..<target.count
                where offsets.oneToOne[position] >= 0 && alignment.oneToOne[position] >= 0 {
                    #expect(
                        offsets.oneToOne[position] == alignment.oneToOne[position], "\(label): one-to-one \(position)")
                }
            }
            for method in FusionMethod.allCases {
                var options = FuseOptions()
                options.alignment = .dtw
                options.method = method
                let (fused, note) = RecordFusion.fuse(
                    ordinal: 0, target: target, targetBytes: models.targetBytes,
                    lossMask: Array(repeating: true, count: target.count - 1), teachers: softRecords, options: options)
                let expected = try #require(record[method == .minCE ? "min_ce" : "avg_ce"] as? [String: Any])
                if method == .minCE {
                    let chosen = try #require(expected["teacher"] as? Int)
                    #expect(note.teachers.map(\.weight) == note.teachers.indices.map { $0 == chosen ? 1 : 0 })
                } else {
                    let weights = try #require(expected["weights"] as? [Double])
                    for (ours, theirs) in zip(note.teachers.map(\.weight), weights) {
                        #expect(abs(ours - theirs) <= 1e-6)
                    }
                }
                try Self.expectRows(
                    expected, ids: { Array(fused.ids[fused.row($0)]) },
                    probabilities: { Array(fused.probabilities[fused.row($0)]) }, count: target.count,
                    "\(name) \(method.rawValue)")
            }
        }
    }

    @Test(.enabled(if: allPresent, "the three real GGUFs are needed: run tools/fetch-models.sh"))
    func vocabularyMapsMatchTheReference() throws {
        let models = try Self.shared.get()
        let reference = try Self.reference()
        for (kind, maps) in [("edit_map", models.editMaps), ("exact_map", models.exactMaps)] {
            let byTeacher = try #require(reference[kind] as? [String: [String: Any]])
            for (index, name) in ["qwen2", "gemma3"].enumerated() {
                let entries = try #require(byTeacher[name])
                #expect(entries.count > 1_000)
                for (key, value) in entries {
                    let teacherID = try #require(Int32(key))
                    let expected = (value as? Int).map { Int32($0) }
                    #expect(maps[index].target(of: teacherID) == expected, "\(kind) \(name) \(teacherID)")
                }
            }
        }
    }
}
