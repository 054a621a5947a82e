import Base
import Checkpoint

/// What a journal belongs to (DESIGN.md, "Journal"): the resolved plan
/// (its canonical text, which holds the recipe after parameter resolution,
/// `--seed`, `--shard-size` and the output dtypes), each input's identity
/// (size, modification time, header digest) and the Smelt version. Stored
/// as the journal's first block in the manifest's JSON form, with the
/// plan's canonical text in place of the recipe, so one strict reader
/// serves both.
struct JournalIdentity: Equatable {
    let version: String
    let planText: String
    let inputs: [Manifest.Input]

    init(plan: MergePlan, inputs: [Manifest.Input]) {
        version = smeltVersion
        planText = plan.canonicalText
        self.inputs = inputs
    }

    init(path: String, bytes: [UInt8]) throws {
        let manifest = try Manifest(path: path, bytes: bytes)
        version = manifest.version
        planText = manifest.recipe ?? ""
        inputs = manifest.inputs
    }

    var encoded: [UInt8] {
        let manifest = Manifest(
            version: version, recipe: planText, planDigest: XXH3.digest(Array(planText.utf8)), inputs: inputs)
        return Array(manifest.rendered().utf8)
    }

    /// What differs between the run that wrote the journal (`self`) and
    /// this one, in words a user can act on; nil when they match.
    func difference(from current: JournalIdentity) -> String? {
        if version != current.version { return "it was made by Smelt \(version), this is Smelt \(current.version)" }
        if inputs != current.inputs {
            let old = Dictionary(inputs.map { ($0.resolvedPath, $0) }, uniquingKeysWith: { first, _ in first })
            for input in current.inputs {
                guard let before = old[input.resolvedPath] else {
                    return "the inputs differ: \(input.resolvedPath) is new"
                }
                if before.size != input.size {
                    return "input \(input.resolvedPath) changed size (\(before.size) bytes then, \(input.size) now)"
                }
                if before.headerDigest != input.headerDigest {
                    return "input \(input.resolvedPath) has a different header"
                }
                if before.modificationTime != input.modificationTime {
                    return
                        "input \(input.resolvedPath) was modified since (mtime \(before.modificationTime) then, \(input.modificationTime) now; a restored copy must keep its modification time, as cp -p does)"
                }
            }
            return "the inputs differ: the recipe names other files"
        }
        guard planText != current.planText else { return nil }
        let before = planText.split(separator: "\n", omittingEmptySubsequences: false)
        let now = current.planText.split(separator: "\n", omittingEmptySubsequences: false)
        for (old, new) in zip(before, now) where old != new {
            if old.hasPrefix("seed "), new.hasPrefix("seed ") {
                return "--seed was \(old.dropFirst(5)), now \(new.dropFirst(5))"
            }
            if old.hasPrefix("shard_size "), new.hasPrefix("shard_size ") {
                return "--shard-size was \(old.dropFirst(11)) bytes, now \(new.dropFirst(11))"
            }
            return "the resolved recipe changed (first difference: \"\(old)\" then, \"\(new)\" now)"
        }
        return "the resolved recipe changed (\(before.count) plan lines then, \(now.count) now)"
    }
}
