import Base
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What Smelt guarantees about files it does not own (README, "Safety"):
/// each case sets up a sandbox with two input models, a victim folder and a
/// recipe, runs `smelt merge` as an adversarial user would, and checks the
/// exit code and that nothing in the sandbox was created, changed or
/// deleted: each is refused before Smelt touches a file, OUT and its
/// staging sibling included.
@Suite struct SafetyTests {
    /// One hostile set-up: `prepare` gets the sandbox folder (holding
    /// `models/a`, `models/b`, `victim/keep.txt` and `recipe.yml`) and returns
    /// the arguments after `merge`.
    struct Case: Sendable, CustomTestStringConvertible {
        let rule: String
        let status: Int32
        let message: String
        let prepare: @Sendable (_ sandbox: String) throws -> [String]
        var testDescription: String { rule }
    }

    static func link(_ target: String, at path: String) throws {
        guard symlink(target, path) == 0 else { throw SystemError(call: "symlink", path: path, errno: errno) }
    }

    static func fifo(at path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        guard mkfifo(path, 0o644) == 0 else { throw SystemError(call: "mkfifo", path: path, errno: errno) }
    }

    static let cases: [Case] = [
        Case(rule: "staging folder is a symbolic link", status: 73, message: "cannot be used as the staging folder") {
            try link($0 + "/victim", at: $0 + "/.out.smelt-partial")
            return [$0 + "/recipe.yml", $0 + "/out"]
        },
        Case(rule: "staging folder is a symbolic link, with --force", status: 73, message: "a symbolic link") {
            try link($0 + "/victim", at: $0 + "/.out.smelt-partial")
            return [$0 + "/recipe.yml", $0 + "/out", "--force"]
        },
        Case(rule: "staging folder is a file", status: 73, message: "it is a regular file") {
            try Data([1]).write(to: URL(fileURLWithPath: $0 + "/.out.smelt-partial"))
            return [$0 + "/recipe.yml", $0 + "/out"]
        },
        Case(rule: "staging folder holds someone else's files", status: 73, message: "no .smelt-lock") {
            try FileManager.default.createDirectory(
                atPath: $0 + "/.out.smelt-partial", withIntermediateDirectories: true)
            try Data([2]).write(to: URL(fileURLWithPath: $0 + "/.out.smelt-partial/notes.txt"))
            return [$0 + "/recipe.yml", $0 + "/out"]
        },
        Case(rule: "OUT is an input, with --force", status: 73, message: "is the input") {
            [$0 + "/recipe.yml", $0 + "/models/a", "--force"]
        },
        Case(rule: "OUT is a link to an input", status: 73, message: "is the input") {
            try link($0 + "/models/b", at: $0 + "/out")
            return [$0 + "/recipe.yml", $0 + "/out", "--force"]
        },
        Case(rule: "OUT is inside an input", status: 73, message: "is inside the input") {
            [$0 + "/recipe.yml", $0 + "/models/a/merged"]
        },
        Case(rule: "OUT contains an input, with --force", status: 73, message: "contains the input") {
            [$0 + "/recipe.yml", $0 + "/models", "--force"]
        },
        Case(rule: "OUT is a symbolic link to a folder, with --force", status: 73, message: "is a symbolic link") {
            try link($0 + "/victim", at: $0 + "/out")
            return [$0 + "/recipe.yml", $0 + "/out", "--force"]
        },
        Case(rule: "OUT is a file, with --force", status: 73, message: "is a file") {
            try Data([3]).write(to: URL(fileURLWithPath: $0 + "/out"))
            return [$0 + "/recipe.yml", $0 + "/out", "--force"]
        },
        Case(rule: "a shard is a FIFO", status: 66, message: "is a FIFO, not a regular file") {
            try fifo(at: $0 + "/models/b/model.safetensors")
            return [$0 + "/recipe.yml", $0 + "/out"]
        },
        Case(rule: "config.json is a FIFO", status: 66, message: "config.json: is a FIFO") {
            try fifo(at: $0 + "/models/b/config.json")
            return [$0 + "/recipe.yml", $0 + "/out"]
        },
        Case(rule: "the shard index is a FIFO", status: 66, message: "model.safetensors.index.json: is a FIFO") {
            try fifo(at: $0 + "/models/b/model.safetensors.index.json")
            return [$0 + "/recipe.yml", $0 + "/out"]
        },
        Case(rule: "the recipe is a FIFO", status: 66, message: "recipe.yml: is a FIFO") {
            try fifo(at: $0 + "/recipe.yml")
            return [$0 + "/recipe.yml", $0 + "/out"]
        },
        Case(rule: "a shard is a character device", status: 66, message: "is a character device") {
            try FileManager.default.removeItem(atPath: $0 + "/models/b/model.safetensors")
            try link("/dev/zero", at: $0 + "/models/b/model.safetensors")
            return [$0 + "/recipe.yml", $0 + "/out"]
        },
        Case(rule: "the recipe is over its size limit", status: 65, message: "larger than the 1048576-byte limit") {
            try Data(repeating: 0x23, count: (1 << 20) + 1).write(to: URL(fileURLWithPath: $0 + "/recipe.yml"))
            return [$0 + "/recipe.yml", $0 + "/out"]
        },
        Case(rule: "the recipe is a loop of symbolic links", status: 66, message: "Too many levels of symbolic links") {
            try link($0 + "/loop-b", at: $0 + "/loop-a")
            try link($0 + "/loop-a", at: $0 + "/loop-b")
            return [$0 + "/loop-a", $0 + "/out"]
        },
    ]

    @Test(arguments: cases)
    func refusesWithoutTouchingAnythingItDoesNotOwn(_ testCase: Case) throws {
        let sandbox = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: sandbox) }
        for name in ["a", "b"] {
            try FileManager.default.copyItem(
                atPath: CommandRunner.fixture("models/llama-f32-" + name), toPath: sandbox + "/models/" + name)
        }
        try FileManager.default.createDirectory(atPath: sandbox + "/victim", withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: sandbox + "/victim/keep.txt"))
        let recipe =
            "merge_method: linear\nmodels:\n  - model: \(sandbox)/models/a\n    parameters: {weight: 1}\n"
            + "  - model: \(sandbox)/models/b\n    parameters: {weight: 1}\n"
        try Data(recipe.utf8).write(to: URL(fileURLWithPath: sandbox + "/recipe.yml"))
        let arguments = try testCase.prepare(sandbox)
        let before = try Self.snapshot(sandbox)
        let result = try Self.runBounded(["merge"] + arguments, seconds: 20)
        #expect(result.status == testCase.status, "\(result.standardError)")
        #expect(result.standardError.contains(testCase.message), "\(result.standardError)")
        #expect(!result.standardError.contains("/proc/self/fd"), "messages name the folders the user knows")
        #expect(try Self.snapshot(sandbox) == before, "a file in the sandbox changed")
    }

    /// Every entry under `root` by relative path: its kind and, for a
    /// regular file, its size and bytes' digest; for a link, its target.
    /// Never opens anything but regular files, never follows a link.
    static func snapshot(_ root: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        func walk(_ path: String) throws {
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            let relative = String(path.dropFirst(root.count))
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                entries[relative] = "folder"
                for name in try FileManager.default.contentsOfDirectory(atPath: path) { try walk(path + "/" + name) }
            case S_IFREG:
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                entries[relative] = "file \(bytes.count) \(XXH3.hex(XXH3.digest(Array(bytes))))"
            case S_IFLNK:
                entries[relative] =
                    "link " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
            default:
                entries[relative] = "special \(info.st_mode & S_IFMT)"
            }
        }
        try walk(root)
        return entries
    }

    /// Runs smelt, killing it after `seconds` so that a hang fails the
    /// test instead of stopping the suite.
    static func runBounded(_ arguments: [String], seconds: Double) throws -> CommandResult {
        let running = try CommandRunner.start(arguments)
        let watchdog = DispatchWorkItem { _ = running.send(SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        let result = running.wait()
        watchdog.cancel()
        return result
    }
}
