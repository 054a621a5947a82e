import Base
import Checkpoint
import Foundation

/// An input model, found and opened.
public struct ResolvedModel: Sendable {
    public let reference: ModelReference
    /// The folder or file that was opened.
    public let path: String
    public let checkpoint: Checkpoint
}

/// Finds the models a recipe names (DESIGN.md, "Command line"): a path
/// that exists wins (relative to the current directory, as in mergekit);
/// else `org/name` in the local Hugging Face cache at the snapshot that
/// `refs/main` names. Never downloads.
struct ModelResolver {
    let recipeFile: String
    let environment: [String: String]

    init(recipeFile: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.recipeFile = recipeFile
        self.environment = environment
    }

    /// The hub cache folder: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
    /// `~/.cache/huggingface/hub`.
    var hubCache: String {
        if let cache = environment["HF_HUB_CACHE"], !cache.isEmpty { return cache }
        if let home = environment["HF_HOME"], !home.isEmpty { return home + "/hub" }
        return (environment["HOME"] ?? "") + "/.cache/huggingface/hub"
    }

    func resolve(_ reference: ModelReference) throws -> ResolvedModel {
        var looked = [reference.text]
        var path: String?
        if try FileSystem.status(reference.text) != nil {
            path = reference.text
        } else if isHubName(reference.text) {
            let folder = hubCache + "/models--" + reference.text.replacingOccurrences(of: "/", with: "--")
            looked.append(folder)
            if let revision = try? FileSystem.readSmallFile(folder + "/refs/main", limit: 256) {
                let snapshot =
                    folder + "/snapshots/"
                    + String(decoding: revision, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if try FileSystem.status(snapshot) != nil { path = snapshot }
            }
        }
        guard let path else {
            throw MergeError.missingModel(
                file: recipeFile, mark: reference.mark, reference: reference.text, looked: looked)
        }
        do {
            return ResolvedModel(reference: reference, path: path, checkpoint: try Checkpoint(path: path))
        } catch CheckpointError.noWeights(let folder, let found)
            where found.contains(where: { $0.hasSuffix(".bin") || $0.hasSuffix(".pt") || $0.hasSuffix(".pth") })
        {
            throw MergeError.unsupported(
                file: recipeFile, mark: reference.mark,
                feature:
                    "model '\(reference.text)' at \(folder) has only PyTorch pickle weights (pytorch_model.bin); reading them"
            )
        }
    }

    private func isHubName(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." } && !text.hasPrefix(".")
    }
}
