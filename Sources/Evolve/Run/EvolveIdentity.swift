import Base
import Checkpoint
import Merge

/// What makes two runs of a search the same search, so that a resumed run
/// may replay the journal of an interrupted one: the search file, the
/// fitness data, the models' files (as a merge identifies its inputs), the
/// CMA-ES seed, population and step size, and Smelt's version. Threads,
/// the memory budget and `--max-evals` change no evaluation, so they may
/// differ between the runs.
struct EvolveIdentity {
    var fields: [(key: String, value: String)] = []

    init(search: SearchDefinition, genome: Genome, options: EvolveOptions) throws {
        let searchBytes = try FileSystem.readSmallFile(search.file, limit: 1 << 20)
        fields.append(("smelt", smeltVersion))
        fields.append(("search", hex(XXH3.digest(searchBytes))))
        for set in search.fitness.data {
            let (size, digest) = try RangeDigester.digest(ofFile: set.path)
            fields.append(("data \(set.path)", "\(size) \(hex(digest))"))
        }
        let recipe = try Recipe(yaml: Array(try genome.recipe(genome.initialValues()).utf8), file: search.file)
        let plan = try Planner.plan(recipe, settings: PlanSettings())
        for input in try plan.inputIdentities() {
            fields.append(
                ("model \(input.resolvedPath)", "\(input.size) \(input.modificationTime) \(hex(input.headerDigest))"))
        }
        fields.append(("seed", "\(options.seed)"))
        fields.append(("population", options.populationSize.map { "\($0)" } ?? "default"))
        fields.append(("sigma0", "\(options.sigma0)"))
    }

    /// One `"key": "value"` line per field, in a JSON object.
    func rendered() -> [UInt8] {
        let lines = fields.map { "  \(JSONOutput.quoted($0.key)): \(JSONOutput.quoted($0.value))" }
        return Array(("{\n" + lines.joined(separator: ",\n") + "\n}\n").utf8)
    }

    /// The first line where two rendered identities differ, for a message.
    static func difference(_ staged: [UInt8], _ current: [UInt8]) -> String {
        let old = String(decoding: staged, as: UTF8.self).split(separator: "\n")
        let new = String(decoding: current, as: UTF8.self).split(separator: "\n")
        for (before, now) in zip(old, new) where before != now {
            return "it had \(before.trimmingSpaces()) where this run has \(now.trimmingSpaces())"
        }
        return "its identity has \(old.count) lines where this run's has \(new.count)"
    }

    private func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "," }.reversed())
    }
}
