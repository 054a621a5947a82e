import Base
import Foundation
import TestSupport
import Testing

/// `smelt fuse` refuses bad teachers, a target it cannot tokenise for and
/// bad options with the sysexits code of the fault, naming the culprit,
/// before OUT exists.
extension FuseCommandTests {
    /// Caches that must not be fused, made once per test process.
    struct RefusalMaterial: Sendable {
        /// tiny-gemma3 over the first three records only.
        let otherDataCache: String
        /// The Unigram teacher with --top-k 5 (the others have 10).
        let otherKCache: String
        /// The Unigram teacher's sampled draws.
        let sampledCache: String
        /// The Unigram teacher's cache whose manifest claims `forgedModel`'s
        /// tokenizer: only the per-record token check can catch it.
        let forgedCache: String
        /// A model of another tokenizer than the Unigram teacher's.
        let forgedModel: String
        /// config.json and model.safetensors, no tokenizer.
        let targetWithoutTokenizer: String
    }

    static let refusalMaterial = Result { () throws -> RefusalMaterial in
        let material = try FuseCommandTests.material.get()
        let work = try CommandRunner.temporaryFolder()
        let fewer = try write(Array(records.prefix(3)), to: work + "/fewer.jsonl")
        let forgedModel = target
        let refusal = RefusalMaterial(
            otherDataCache: work + "/other-data.cache", otherKCache: work + "/k5.cache",
            sampledCache: work + "/sampled.cache", forgedCache: work + "/forged.cache", forgedModel: forgedModel,
            targetWithoutTokenizer: work + "/no-tokenizer")
        let teacher = material.otherTokenizerModel
        try logits([
            [sameTokenizerModel, fewer, refusal.otherDataCache, "--chat-template", targetTemplate],
            [teacher, material.data, refusal.otherKCache, "--chat-template", teacherTemplate, "--top-k", "5"],
            [teacher, material.data, refusal.sampledCache, "--chat-template", teacherTemplate, "--sample", "4"],
            // The forged model's tokenizer digest, as a cache made with its template records it.
            [forgedModel, fewer, work + "/digest.cache", "--chat-template", teacherTemplate],
        ])
        try FileManager.default.copyItem(atPath: material.otherTokenizerCache, toPath: refusal.forgedCache)
        let real = try tokenizerDigest(material.otherTokenizerCache)
        let claimed = try tokenizerDigest(work + "/digest.cache")
        guard real != claimed else { throw SetupFailure(description: "both tokenizers have digest \(real)") }
        let manifest = String(decoding: try TestFiles.read(refusal.forgedCache + "/smelt-cache.json"), as: UTF8.self)
        try TestFiles.write(
            Array(manifest.replacingOccurrences(of: "\"\(real)\"", with: "\"\(claimed)\"").utf8),
            to: refusal.forgedCache + "/smelt-cache.json")
        try FileManager.default.createDirectory(
            atPath: refusal.targetWithoutTokenizer, withIntermediateDirectories: false)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(
                atPath: target + "/" + name, toPath: refusal.targetWithoutTokenizer + "/" + name)
        }
        return refusal
    }

    static func tokenizerDigest(_ cache: String) throws -> String {
        let manifest = try CommandRunner.json(
            String(decoding: try TestFiles.read(cache + "/smelt-cache.json"), as: UTF8.self))
        let identity = manifest["identity"] as? [String: Any]
        guard let digest = (identity?["teacher"] as? [String: Any])?["tokenizer_xxh3"] as? String else {
            throw SetupFailure(description: "\(cache) names no tokenizer digest")
        }
        return digest
    }

    enum Refusal: String, CaseIterable, Sendable {
        case cacheOverOtherData, tokenIDsNotTheTokenizers, modelNotTheCachesOwn, teachersOfDifferentK, sampledCache
        case targetWithoutTokenizer, otherTokenizerWithoutModel, noTeacher, unknownAlignment, unknownMap
        case unknownFusion, zeroTopK, zeroBand, missingTeacherCache
    }

    /// What a refusal runs, its exit status, and what the message must name.
    struct RefusalCase {
        var target = FuseCommandTests.target
        var teachers: [String]
        var options: [String] = []
        let status: Int32
        let culprits: [String]
    }

    static func refusalCase(_ refusal: Refusal) throws -> RefusalCase {
        let material = try material.get()
        let own = material.sameTokenizerCache
        let teacher = "=" + material.otherTokenizerModel + "," + teacherTemplate
        switch refusal {
        case .cacheOverOtherData, .tokenIDsNotTheTokenizers, .teachersOfDifferentK, .sampledCache,
            .targetWithoutTokenizer, .modelNotTheCachesOwn:
            let refused = try refusalMaterial.get()
            switch refusal {
            case .cacheOverOtherData:
                return RefusalCase(
                    teachers: ["--teacher", refused.otherDataCache], status: 65,
                    culprits: [refused.otherDataCache, "other data", "fewer.jsonl"])
            case .tokenIDsNotTheTokenizers:
                let forged = refused.forgedCache
                return RefusalCase(
                    teachers: ["--teacher", forged + "=" + refused.forgedModel + "," + teacherTemplate], status: 65,
                    culprits: [forged, "other token ids", "text-0"])
            case .modelNotTheCachesOwn:
                let cache = material.otherTokenizerCache
                return RefusalCase(
                    teachers: ["--teacher", cache + "=" + refused.forgedModel + "," + teacherTemplate], status: 65,
                    culprits: [cache, refused.forgedModel, "another tokenizer"])
            case .teachersOfDifferentK:
                return RefusalCase(
                    teachers: ["--teacher", own, "--teacher", refused.otherKCache + teacher], status: 65,
                    culprits: [refused.otherKCache, "its K is 5"])
            case .sampledCache:
                return RefusalCase(
                    teachers: ["--teacher", refused.sampledCache + teacher], status: 65,
                    culprits: [refused.sampledCache, "sampled"])
            default:
                return RefusalCase(
                    target: refused.targetWithoutTokenizer, teachers: ["--teacher", own], status: 66,
                    culprits: [refused.targetWithoutTokenizer, "tokenizer.json"])
            }
        case .otherTokenizerWithoutModel:
            return RefusalCase(
                teachers: ["--teacher", material.otherTokenizerCache], status: 64,
                culprits: [material.otherTokenizerCache, "no model"])
        case .noTeacher: return RefusalCase(teachers: [], status: 64, culprits: ["--teacher"])
        case .unknownAlignment:
            return RefusalCase(
                teachers: ["--teacher", own], options: ["--align", "foo"], status: 64, culprits: ["--align", "foo"])
        case .unknownMap:
            return RefusalCase(
                teachers: ["--teacher", own], options: ["--map", "foo"], status: 64, culprits: ["--map", "foo"])
        case .unknownFusion:
            return RefusalCase(
                teachers: ["--teacher", own], options: ["--fusion", "foo"], status: 64, culprits: ["--fusion", "foo"])
        case .zeroTopK:
            return RefusalCase(
                teachers: ["--teacher", own], options: ["--top-k", "0"], status: 64, culprits: ["--top-k"])
        case .zeroBand:
            return RefusalCase(
                teachers: ["--teacher", own], options: ["--band", "0"], status: 64, culprits: ["--band"])
        case .missingTeacherCache:
            let missing = material.work + "/missing.cache"
            return RefusalCase(
                teachers: ["--teacher", material.sameTokenizerCache, "--teacher", missing + teacher], status: 66,
                culprits: [missing, "no such teacher cache"])
        }
    }

    @Test(arguments: Refusal.allCases)
    func refusesNamingTheCulpritBeforeOutputExists(refusal: Refusal) throws {
        let material = try Self.material.get()
        let refused = try Self.refusalCase(refusal)
        let output = try CommandRunner.temporaryFolder() + "/fused"
        let arguments =
            ["fuse", refused.target, material.data, output, "--chat-template", Self.targetTemplate, "--quiet"]
            + refused.teachers + refused.options
        let result = try CommandRunner.run(arguments)
        #expect(result.status == refused.status, "\(refusal): \(result.standardError)")
        for culprit in refused.culprits {
            #expect(result.standardError.contains(culprit), "\(refusal): \(culprit) in \(result.standardError)")
        }
        #expect(result.standardError.hasPrefix("error: "), "\(refusal): \(result.standardError)")
        #expect(try FileSystem.status(output) == nil, "\(refusal)")
    }
}
