import Base

/// What is already at the output path of a run.
public enum ExistingOutput {
    public enum Comparison: Equatable, Sendable {
        /// A finished Smelt run (merge or conversion) of the same plan
        /// from the same inputs.
        case sameRun
        /// Anything else, with what differs.
        case different(String)
    }

    public static func compare(_ path: String, planDigest: UInt64, inputs: [Manifest.Input]) throws -> Comparison {
        let manifestPath = path + "/" + Manifest.fileName
        guard let status = try FileSystem.status(manifestPath), status.isRegularFile else {
            return .different("it was not written by Smelt: no \(Manifest.fileName)")
        }
        let manifest: Manifest
        do {
            manifest = try Manifest(
                path: manifestPath, bytes: try FileSystem.readSmallFile(manifestPath, limit: 1 << 30))
        } catch {
            return .different("its manifest is unreadable: \(error)")
        }
        if manifest.version != smeltVersion {
            return .different("made by Smelt \(manifest.version), this is \(smeltVersion)")
        }
        if manifest.planDigest != planDigest {
            return .different(
                "its plan digest is \(manifest.planDigest.map(XXH3.hex) ?? "missing"), this run's is \(XXH3.hex(planDigest))"
            )
        }
        if manifest.inputs != inputs { return .different("its inputs differ in size, modification time or header") }
        return .sameRun
    }
}
