import Base
import Checkpoint

/// `smelt hash PATH [--json]`.
enum HashCommand: Command {
    static let name = "hash"
    static let overview = """
          hash PATH [--json]               XXH3-64 of every tensor and of each file's header
        """
    static let spec = ArgumentSpec(flags: ["json"], positionalCount: 1...1, positionalNames: "PATH")

    static let help = """
        usage: smelt hash PATH [--json]

        Prints the XXH3-64 digest (seed 0, 16 hex digits) of every tensor's raw
        bytes and of each file's header (the 8-byte length and the JSON). Any
        xxhash binding reproduces them: in Python, xxhash.xxh3_64_hexdigest of
        the same bytes. Streams the files through a memory map with bounded
        memory, at the speed of the disk.

        For a .gguf file: the digest of its header (every byte before the data
        section) and of every tensor's stored (still quantised) bytes.

        options:
          --json      one JSON object: files, header digests, tensor digests
          -h, --help  show this help

        exit codes: 0 ok, 65 malformed checkpoint, 66 missing path, 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let wantsJSON = arguments.flags.contains("json")
        if GGUFListing.isGGUF(arguments.positionals[0]) { return try runGGUF(arguments.positionals[0], json: wantsJSON) }
        let checkpoint = try Checkpoint(path: arguments.positionals[0])
        let progress = ProgressBar(label: "hash", totalBytes: checkpoint.tensorByteCount, enabled: !wantsJSON)
        let digests = try checkpoint.files.map { try $0.computeDigests(progress: progress.advance) }
        progress.finish()
        if wantsJSON {
            writeToStandardOutput(
                JSONOutput.object([
                    ("path", .string(checkpoint.path)),
                    (
                        "files",
                        .array(
                            digests.map { file in
                                .object([
                                    ("name", .string(file.path.lastPathComponent)),
                                    ("size", .unsigned(file.size)),
                                    ("header_xxh3", .string(XXH3.hex(file.header))),
                                    (
                                        "tensors",
                                        .array(
                                            file.tensors.map {
                                                .object([
                                                    ("name", .string($0.name)), ("xxh3", .string(XXH3.hex($0.digest))),
                                                ])
                                            })
                                    ),
                                ])
                            })
                    ),
                ]).rendered(pretty: true) + "\n")
        } else {
            // Names are escaped (TerminalText), so each digest is one line.
            var text = ""
            for file in digests {
                text += "\(XXH3.hex(file.header))  \(TerminalText.escaped(file.path.lastPathComponent)) (header)\n"
                for (name, digest) in file.tensors { text += "\(XXH3.hex(digest))  \(TerminalText.escaped(name))\n" }
            }
            writeToStandardOutput(text)
        }
        return .success
    }

    static func runGGUF(_ path: String, json wantsJSON: Bool) throws -> ExitCode {
        let file = try GGUFFile(path: path)
        let total = file.header.tensors.reduce(file.header.dataStart) { $0 + $1.byteCount }
        let progress = ProgressBar(label: "hash", totalBytes: total, enabled: !wantsJSON)
        let digests = try GGUFListing.digests(file, progress: progress.advance)
        progress.finish()
        if wantsJSON {
            let tensors = digests.tensors.map {
                JSONOutput.object([("name", .string($0.name)), ("xxh3", .string(XXH3.hex($0.digest)))])
            }
            writeToStandardOutput(
                JSONOutput.object([
                    ("path", .string(file.path)), ("format", .string("gguf")), ("size", .unsigned(file.size)),
                    ("header_xxh3", .string(XXH3.hex(digests.header))), ("tensors", .array(tensors)),
                ]).rendered(pretty: true) + "\n")
        } else {
            var text = "\(XXH3.hex(digests.header))  \(TerminalText.escaped(path.lastPathComponent)) (header)\n"
            for (name, digest) in digests.tensors { text += "\(XXH3.hex(digest))  \(TerminalText.escaped(name))\n" }
            writeToStandardOutput(text)
        }
        return .success
    }
}
