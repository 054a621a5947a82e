import Checkpoint
import Foundation

/// Runs the built `smelt` executable, as a user would, and captures what it
/// printed and its exit status.
struct CommandResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

enum CommandRunner {
    static let repositoryRoot = String(#filePath).deletingLastPathComponent.deletingLastPathComponent.deletingLastPathComponent

    /// The `smelt` binary next to the test bundle in the build folder.
    static var executable: String { builtProgram("smelt") }

    /// A program built by this package, found next to the test bundle.
    static func builtProgram(_ name: String) -> String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test binary sits inside SmeltPackageTests.xctest on some layouts.
        while folder.path != "/" && !FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent(name).path
    }

    static func fixture(_ relative: String) -> String { repositoryRoot + "/Fixtures/" + relative }

    /// Runs `program` from the repository root (recipes name their models
    /// relative to the current directory, as in mergekit).
    static func run(_ arguments: [String], program: String = executable) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }

    /// Parses `--json` output with Foundation's reader (independent of Smelt's).
    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return object as? [String: Any] ?? [:]
    }

    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "smelt-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
