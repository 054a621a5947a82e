import Base
import Checkpoint
#if canImport(Glibc)
import Glibc
#endif

extension LanguageModel {
    /// Opens a Hugging Face model folder (config.json and safetensors
    /// weights in any float dtype) or a `.gguf` file (its config and tensor
    /// names as `smelt convert` would write them, dequantized as read).
    public static func open(path: String) throws -> LanguageModel {
        guard let status = try FileSystem.status(path) else {
            throw SystemError(call: "stat", path: path, errno: ENOENT)
        }
        if !status.isDirectory && GGUFFile.hasMagic(path: path) {
            let gguf = try GGUFFile(path: path)
            let plan = try GGUFConversionPlan(file: gguf, dtype: .f32, rawNames: false, shardSizeLimit: .max)
            guard let file = plan.files.first(where: { $0.name == "config.json" }) else {
                throw ModelError.missingConfig(folder: path)
            }
            let config = try ModelConfig(json: file.bytes, file: path + " (config.json)")
            return try LanguageModel(config: config, source: CheckpointWeightSource(gguf: gguf, plan: plan))
        }
        let folder = status.isDirectory ? path : path.deletingLastPathComponent
        let configPath = folder + "/config.json"
        guard try FileSystem.status(configPath)?.isRegularFile == true else {
            throw ModelError.missingConfig(folder: folder)
        }
        let config = try ModelConfig(json: try FileSystem.readSmallFile(configPath, limit: 16 << 20), file: configPath)
        let checkpoint = try Checkpoint(path: path)
        return try LanguageModel(config: config, source: CheckpointWeightSource(checkpoint: checkpoint))
    }
}
