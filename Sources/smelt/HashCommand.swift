import Base
import Checkpoint

/// `smelt hash PATH [--json]`.
enum HashCommand {
    static let spec = ArgumentSpec(flags: ["json"], positionalCount: 1...1, positionalNames: "PATH")

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let checkpoint = try Checkpoint(path: arguments.positionals[0])
        let wantsJSON = arguments.flags.contains("json")
        let progress = ProgressBar(label: "hash", totalBytes: checkpoint.tensorByteCount, enabled: !wantsJSON)
        let digests = try checkpoint.files.map { try $0.computeDigests(progress: progress.advance) }
        progress.finish()
        if wantsJSON {
            writeToStandardOutput(JSONOutput.object([
                ("path", .string(checkpoint.path)),
                ("files", .array(digests.map { file in
                    .object([
                        ("name", .string(file.path.lastPathComponent)),
                        ("size", .unsigned(file.size)),
                        ("header_xxh3", .string(XXH3.hex(file.header))),
                        ("tensors", .array(file.tensors.map { .object([("name", .string($0.name)), ("xxh3", .string(XXH3.hex($0.digest)))]) })),
                    ])
                })),
            ]).rendered(pretty: true) + "\n")
        } else {
            var text = ""
            for file in digests {
                text += "\(XXH3.hex(file.header))  \(file.path.lastPathComponent) (header)\n"
                for (name, digest) in file.tensors { text += "\(XXH3.hex(digest))  \(name)\n" }
            }
            writeToStandardOutput(text)
        }
        return .success
    }
}
