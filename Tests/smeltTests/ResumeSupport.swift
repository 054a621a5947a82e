import Base
import Checkpoint
import Foundation
import Testing

/// A merge made slow and many-chunked enough to interrupt: TIES over the
/// large fixture pair (four 307,200-element tensors), in chunks of 64Ki
/// elements, so the output is 27 units of work.
enum ResumeSupport {
    static let recipe = "Fixtures/recipes/large-ties.yml"
    static let options = ["--chunk-size", "256K", "--threads", "2", "--memory-budget", "16M"]

    static func mergeArguments(_ output: String, recipe: String = recipe, extra: [String] = []) -> [String] {
        ["merge", recipe, output] + options + extra
    }

    /// The published files of an uninterrupted run, made once per test process.
    static let reference: [String: [UInt8]] = {
        do {
            let folder = try CommandRunner.temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let result = try CommandRunner.run(mergeArguments(folder + "/reference"))
            guard result.status == 0 else { return [:] }
            return try publishedFiles(folder + "/reference")
        } catch {
            return [:]
        }
    }()

    /// Every file of a published folder but `smelt-run.json` (the one file
    /// allowed to differ between runs), by name.
    static func publishedFiles(_ folder: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name != "smelt-run.json" {
            files[name] = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
        }
        return files
    }

    /// Expects `output` to hold exactly the uninterrupted run's files and to
    /// pass `smelt verify`.
    static func expectMatchesReference(_ output: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(!reference.isEmpty, "the reference merge failed", sourceLocation: sourceLocation)
        let files = try publishedFiles(output)
        #expect(files.keys.sorted() == reference.keys.sorted(), sourceLocation: sourceLocation)
        for (name, bytes) in reference {
            #expect(files[name] == bytes, "\(name) differs from the uninterrupted run's", sourceLocation: sourceLocation)
        }
        let verify = try CommandRunner.run(["verify", output])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)", sourceLocation: sourceLocation)
    }

    /// After any interruption: OUT does not exist, or it is complete and verified.
    static func expectAbsentOrComplete(_ output: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard FileManager.default.fileExists(atPath: output) else { return }
        try expectMatchesReference(output, sourceLocation: sourceLocation)
    }

    static func staging(_ output: String) -> String { CheckpointWriter.stagingPath(for: output) }

    /// The `resume` object of a `--json` result.
    static func resume(_ result: CommandResult) throws -> [String: Any] {
        try CommandRunner.json(result.standardOutput)["resume"] as? [String: Any] ?? [:]
    }

    /// Waits (up to 5 s a step) until a running merge into `output` has
    /// created its journal and then appended records after the identity.
    static func waitForJournaledChunks(_ output: String) {
        let journal = staging(output) + "/.smelt-journal"
        func journalSize() -> UInt64 { ((try? FileSystem.status(journal)) ?? nil)?.size ?? 0 }
        for _ in 0..<500 where journalSize() == 0 { usleep(10_000) }
        let identityOnly = journalSize()
        for _ in 0..<500 where journalSize() <= identityOnly { usleep(10_000) }
    }

    /// Flips one byte of a file.
    static func flipByte(_ path: String, at offset: UInt64) throws {
        let file = try OpenFile.forUpdating(path)
        var byte: UInt8 = 0
        try withUnsafeMutableBytes(of: &byte) { try file.read(into: $0, at: offset) }
        byte ^= 0x5A
        try withUnsafeBytes(of: &byte) { try file.write($0, at: offset) }
    }
}
