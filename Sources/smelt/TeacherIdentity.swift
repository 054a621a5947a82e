import Base
import Checkpoint
import Distill
import Model

/// The identity of a logit cache for a teacher MODEL (folder or .gguf),
/// a chat template, DATA and K: digests of what the numbers are a function
/// of, never paths or times, so shards made on other machines match.
enum TeacherIdentity {
    /// `includingWeights: false` leaves the weight files out (and does not
    /// need them): what a fused cache, whose numbers come from other
    /// models, takes from its target.
    static func make(
        modelPath: String, chatTemplatePath: String?, dataPath: String?, topK: Int, vocabularySize: Int,
        sampling: TokenSampling?, fusion: FusionSettings? = nil, includingWeights: Bool = true
    ) throws -> LogitCacheIdentity {
        var configBytes: [UInt8] = []
        let tokenizer = XXH3Hasher()
        var weights: [LogitCacheIdentity.WeightFile] = []
        let isFolder = try FileSystem.status(modelPath)?.isDirectory == true
        if !isFolder && GGUFFile.hasMagic(path: modelPath) {
            let gguf = try GGUFFile(path: modelPath)
            let plan = try GGUFConversionPlan(file: gguf, dtype: .f32, rawNames: false, shardSizeLimit: .max)
            configBytes = plan.files.first { $0.name == "config.json" }?.bytes ?? []
            for file in try TokenizerSource.ggufTokenizerFiles(modelPath) {
                add(file.name, file.bytes, to: tokenizer)
            }
            let size = try FileSystem.status(modelPath)?.size ?? 0
            if includingWeights {
                weights = [.init(name: modelPath.lastPathComponent, size: size, headerDigest: try gguf.headerDigest())]
            }
        } else {
            let folder = isFolder ? modelPath : modelPath.deletingLastPathComponent
            configBytes = try FileSystem.readSmallFile(folder + "/config.json", limit: 16 << 20)
            for name in [TokenizerSource.tokenizerFile, TokenizerSource.configFile, TokenizerSource.templateFile]
            where try FileSystem.status(folder + "/" + name)?.isRegularFile == true {
                add(name, try FileSystem.readSmallFile(folder + "/" + name, limit: 1 << 30), to: tokenizer)
            }
            for file in try includingWeights ? Checkpoint(path: modelPath).files.sorted(by: { $0.path < $1.path }) : [] {
                let header = file.mapping.withBytes(in: file.headerRange) { XXH3.digest($0) }
                weights.append(
                    .init(name: file.path.lastPathComponent, size: file.mapping.size, headerDigest: header))
            }
        }
        if let chatTemplatePath {
            add("--chat-template", try FileSystem.readSmallFile(chatTemplatePath, limit: 16 << 20), to: tokenizer)
        }
        let (dataSize, dataDigest) = try dataPath.map { try RangeDigester.digest(ofFile: $0) } ?? (0, 0)
        return LogitCacheIdentity(
            teacherName: modelPath.lastPathComponent, configDigest: XXH3.digest(configBytes),
            tokenizerDigest: tokenizer.finalize(), weights: weights, dataName: dataPath?.lastPathComponent ?? "",
            dataSize: dataSize, dataDigest: dataDigest, topK: topK, vocabularySize: vocabularySize, sampling: sampling,
            fusion: fusion)
    }

    /// A named file into the running digest: name, length, bytes.
    private static func add(_ name: String, _ bytes: [UInt8], to hasher: XXH3Hasher) {
        var head = Array(name.utf8)
        head.append(0)
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { head += $0 }
        head.withUnsafeBytes { hasher.update($0) }
        bytes.withUnsafeBytes { hasher.update($0) }
    }
}
