import Base
import Checkpoint
import Foundation
import TestSupport

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
    /// `environment` adds variables (the debug-build fault hooks) to this
    /// process's own.
    static func run(_ arguments: [String], program: String = executable, environment: [String: String] = [:]) throws -> CommandResult {
        let running = try start(arguments, program: program, environment: environment)
        return running.wait()
    }

    /// A started command whose output is collected until it ends.
    final class Running: @unchecked Sendable {
        // @unchecked Sendable: the collected output is written by the
        // reading threads only before `finished` is signalled and read after.
        let process: Process
        private var outputData = Data()
        private var errorData = Data()
        private let finished = DispatchGroup()

        init(process: Process, output: Pipe, error: Pipe) {
            self.process = process
            for (pipe, isOutput) in [(output, true), (error, false)] {
                finished.enter()
                DispatchQueue.global().async {
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    if isOutput { self.outputData = data } else { self.errorData = data }
                    self.finished.leave()
                }
            }
        }

        /// Sends `signal` if the command is still running; false if it had
        /// already ended.
        func send(_ signal: Int32) -> Bool {
            guard process.isRunning else { return false }
            return kill(process.processIdentifier, signal) == 0
        }

        func wait() -> CommandResult {
            finished.wait()
            process.waitUntilExit()
            let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
            return CommandResult(
                status: status,
                standardOutput: String(decoding: outputData, as: UTF8.self),
                standardError: String(decoding: errorData, as: UTF8.self))
        }
    }

    static func start(_ arguments: [String], program: String = executable, environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return Running(process: process, output: output, error: error)
    }

    /// Parses `--json` output with Foundation's reader (independent of Smelt's).
    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return object as? [String: Any] ?? [:]
    }

    static func temporaryFolder() throws -> String { try TestFiles.temporaryFolder() }
}
