import Base

/// Refuses an output that is, is inside, or contains an input (DESIGN.md,
/// principle 6): with or without `--force`, a run never replaces or
/// writes into what it reads. Paths are compared by device and inode along
/// their resolved paths, so links and `..` cannot hide an overlap.
public enum OutputOverlap {
    public static func check(outputPath: String, inputPaths: [String]) throws {
        let parent = outputPath.deletingLastPathComponent
        let resolvedParent = try FileSystem.resolvedPath(parent)
        let output = try FileSystem.status(outputPath)?.identity
        let staging = try FileSystem.status(StagingFolder.path(for: outputPath))?.identity
        // OUT's own folder chain: OUT (if it exists), its parent and up to /.
        let outputChain = Set(try ancestors(of: resolvedParent) + [output].compactMap { $0 })
        for input in inputPaths {
            guard try FileSystem.status(input) != nil else { continue }
            let resolved = try FileSystem.resolvedPath(input)
            let chain = try ancestors(of: resolved)
            let inputIdentity = chain[0]
            if inputIdentity == output {
                throw WriterError.outputOverlapsInput(output: outputPath, input: input, relation: "is")
            }
            if outputChain.contains(inputIdentity) {
                throw WriterError.outputOverlapsInput(output: outputPath, input: input, relation: "is inside")
            }
            if let output, chain.contains(output) {
                throw WriterError.outputOverlapsInput(output: outputPath, input: input, relation: "contains")
            }
            if let staging, chain.contains(staging) {
                throw WriterError.outputOverlapsInput(
                    output: StagingFolder.path(for: outputPath), input: input, relation: "contains")
            }
        }
    }

    /// The identities of `resolvedPath` and every folder above it, nearest first.
    private static func ancestors(of resolvedPath: String) throws -> [FileIdentity] {
        var identities: [FileIdentity] = []
        var path = resolvedPath
        while true {
            if let status = try FileSystem.status(path) { identities.append(status.identity) }
            if path == "/" || path == "." { break }
            path = path.deletingLastPathComponent
        }
        return identities
    }
}
