import Base
import Checkpoint
import Foundation

extension MergePlan {
    /// The resolved plan as canonical text: method, seed, shard size, and
    /// for every output tensor its dtype, shape, sources and parameter
    /// values (as exact bit patterns). Its digest is the plan's identity in
    /// the manifest (DESIGN.md, "Journal").
    public var canonicalText: String {
        var lines = [
            "smelt-plan 1", "method \(method.name)", "seed \(settings.seed)", "shard_size \(settings.shardSizeLimit)",
        ]
        for tensor in tensors {
            lines.append("tensor \(tensor.name) \(tensor.outputDType.rawValue) \(tensor.shape)")
            switch tensor.work {
            case .copy(let source):
                lines.append("  copy \(source.modelIndex) \(source.tensorName) \(source.dtype.rawValue)")
            case .merge(_, let context, let base, let models):
                if let base { lines.append("  base \(base.modelIndex) \(base.tensorName) \(base.dtype.rawValue)") }
                for model in models {
                    lines.append("  model \(model.modelIndex) \(model.tensorName) \(model.dtype.rawValue)")
                }
                for (name, value) in context.global.sorted(by: { $0.key < $1.key }) {
                    lines.append("  global \(name) \(String(value.bitPattern, radix: 16))")
                }
                for (name, values) in context.perModel.sorted(by: { $0.key < $1.key }) {
                    lines.append(
                        "  per_model \(name) " + values.map { String($0.bitPattern, radix: 16) }.joined(separator: " "))
                }
            }
        }
        for model in models { lines.append("input \(model.reference.text)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// XXH3-64 of `canonicalText`.
    public var digest: UInt64 { XXH3.digest(Array(canonicalText.utf8)) }

    /// Each input file's identity for the manifest: path as written,
    /// resolved path, size, modification time, header digest.
    public func inputIdentities() throws -> [Manifest.Input] {
        var inputs: [Manifest.Input] = []
        for model in models {
            for file in model.checkpoint.files {
                let status = try file.file.status()
                let written =
                    model.checkpoint.files.count == 1 && !model.checkpoint.path.hasSuffix("/")
                        && model.checkpoint.path == file.path
                    ? model.reference.text : model.reference.text + "/" + file.path.lastPathComponent
                let headerDigest = file.mapping.withBytes(in: file.headerRange) { XXH3.digest($0) }
                inputs.append(
                    Manifest.Input(
                        pathAsWritten: written, resolvedPath: try FileSystem.resolvedPath(file.path), size: status.size,
                        modificationTime:
                            "\(status.modificationSeconds).\(String(format: "%09d", status.modificationNanoseconds))",
                        headerDigest: headerDigest))
            }
        }
        return inputs
    }
}

extension JournalIdentity {
    /// A merge's journal identity: its canonical plan text, its inputs and
    /// the Smelt version.
    init(plan: MergePlan, inputs: [Manifest.Input]) {
        self.init(planText: plan.canonicalText, inputs: inputs, planNoun: "the resolved recipe")
    }
}
