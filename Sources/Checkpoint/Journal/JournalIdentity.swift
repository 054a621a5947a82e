import Base

/// What a journal belongs to (DESIGN.md, "Journal"): the resolved plan
/// (its canonical text: for a merge, the recipe after parameter
/// resolution, `--seed`, `--shard-size` and the output dtypes; for a
/// conversion, the tensors with their transforms, `--dtype` and
/// `--shard-size`), each input's identity (size, modification time,
/// header digest) and the Smelt version. Stored as the journal's first
/// block in the manifest's JSON form, with the plan's canonical text in
/// place of the recipe, so one strict reader serves both.
public struct JournalIdentity: Equatable {
    public let version: String
    public let planText: String
    public let inputs: [Manifest.Input]
    /// What the plan text is made from, for messages ("the resolved
    /// recipe"); not stored.
    let planNoun: String

    public init(planText: String, inputs: [Manifest.Input], planNoun: String, version: String = smeltVersion) {
        self.version = version
        self.planText = planText
        self.inputs = inputs
        self.planNoun = planNoun
    }

    public static func == (lhs: JournalIdentity, rhs: JournalIdentity) -> Bool {
        (lhs.version, lhs.planText, lhs.inputs) == (rhs.version, rhs.planText, rhs.inputs)
    }

    public init(path: String, bytes: [UInt8]) throws {
        let manifest = try Manifest(path: path, bytes: bytes)
        version = manifest.version
        planText = manifest.recipe ?? ""
        inputs = manifest.inputs
        planNoun = "the plan"
    }

    public var encoded: [UInt8] {
        let manifest = Manifest(
            version: version, recipe: planText, planDigest: XXH3.digest(Array(planText.utf8)), inputs: inputs)
        return Array(manifest.rendered().utf8)
    }

    /// What differs between the run that wrote the journal (`self`) and
    /// this one, in words a user can act on; nil when they match.
    public func difference(from current: JournalIdentity) -> String? {
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
            return "the inputs differ: the run reads other files"
        }
        guard planText != current.planText else { return nil }
        let before = planText.split(separator: "\n", omittingEmptySubsequences: false)
        let now = current.planText.split(separator: "\n", omittingEmptySubsequences: false)
        let noun = current.planNoun
        for (old, new) in zip(before, now) where old != new {
            for (key, option, unit) in Self.optionLines where old.hasPrefix(key + " ") && new.hasPrefix(key + " ") {
                let (was, now) = (old.dropFirst(key.count + 1), new.dropFirst(key.count + 1))
                return "\(option) was \(was)\(unit), now \(now)"
            }
            return "\(noun) changed (first difference: \"\(old)\" then, \"\(new)\" now)"
        }
        return "\(noun) changed (\(before.count) plan lines then, \(now.count) now)"
    }

    /// Plan lines that hold one command-line option's value: their key,
    /// the option, and the unit its old value is shown with.
    static let optionLines = [
        ("seed", "--seed", ""), ("shard_size", "--shard-size", " bytes"), ("dtype", "--dtype", ""),
    ]
}
