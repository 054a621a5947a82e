import Base
import Checkpoint

/// `smelt inspect PATH [--json]`.
enum InspectCommand: Command {
    static let name = "inspect"
    static let overview = """
          inspect PATH [--json]            list tensors, dtypes, shapes, sizes and shards
                                           (of a GGUF: metadata too); validate
        """
    static let spec = ArgumentSpec(flags: ["json"], positionalCount: 1...1, positionalNames: "PATH")

    static let help = """
        usage: smelt inspect PATH [--json]

        Validates a checkpoint by every rule of the safetensors format (header
        length, strict JSON, dtypes, shapes, offsets that tile the data exactly,
        the shard index) and lists its tensors. Reads only the headers: instant
        on any model size.

        A .gguf file is validated by every rule of GGUF v2/v3 (value types,
        counts and lengths, tensor types and shapes, alignment, offsets that
        tile the data section) and listed with its metadata (long arrays such
        as the vocabulary summarised) and its tensors: ggml type, shape
        (row-major, as PyTorch writes it), bytes and file offset.

        PATH   a model folder, a .safetensors file or a .gguf file

        options:
          --json      print one JSON object (schema in README.md) instead of a table
          -h, --help  show this help

        examples:
          smelt inspect Fixtures/models/llama-f32-base
          smelt inspect model.safetensors --json
          smelt inspect SmolLM2-135M-Instruct.Q4_1.gguf

        exit codes: 0 valid, 65 malformed (the message names the file, the tensor
        and the rule), 66 PATH does not exist, 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let path = arguments.positionals[0]
        if CacheCommand.isCache(path) {
            try CacheCommand.inspect(path, json: arguments.flags.contains("json"))
            return .success
        }
        if GGUFListing.isGGUF(path) {
            let file = try GGUFFile(path: path)
            let wantsJSON = arguments.flags.contains("json")
            writeToStandardOutput(
                wantsJSON ? GGUFListing.json(file).rendered(pretty: true) + "\n" : GGUFListing.table(file))
            return .success
        }
        let checkpoint = try Checkpoint(path: path)
        if arguments.flags.contains("json") {
            writeToStandardOutput(json(checkpoint).rendered(pretty: true) + "\n")
        } else {
            writeToStandardOutput(table(checkpoint))
        }
        return .success
    }

    static func json(_ checkpoint: Checkpoint) -> JSONOutput {
        let parameters = checkpoint.tensors.reduce(UInt64(0)) { $0 + $1.tensor.elementCount }
        return .object([
            ("path", .string(checkpoint.path)),
            (
                "files",
                .array(
                    checkpoint.files.map { file in
                        .object([
                            ("name", .string(file.path.lastPathComponent)),
                            ("size", .unsigned(file.size)),
                            ("header_bytes", .unsigned(file.header.dataStart)),
                            ("tensor_count", .unsigned(UInt64(file.header.tensors.count))),
                            ("metadata", .object(file.header.metadata.map { ($0.key, JSONOutput.string($0.value)) })),
                        ])
                    })
            ),
            ("tensor_count", .unsigned(UInt64(checkpoint.tensors.count))),
            ("parameter_count", .unsigned(parameters)),
            ("tensor_bytes", .unsigned(checkpoint.tensorByteCount)),
            (
                "tensors",
                .array(
                    checkpoint.tensors.map { file, tensor in
                        .object([
                            ("name", .string(tensor.name)),
                            ("file", .string(file.path.lastPathComponent)),
                            ("dtype", .string(tensor.dtype.rawValue)),
                            ("shape", .array(tensor.shape.map(JSONOutput.unsigned))),
                            ("bytes", .unsigned(tensor.byteCount)),
                            (
                                "data_offsets",
                                .array([.unsigned(tensor.dataRange.lowerBound), .unsigned(tensor.dataRange.upperBound)])
                            ),
                        ])
                    })
            ),
        ])
    }

    /// The human-readable listing; names and paths are escaped
    /// (TerminalText), so each tensor is one line.
    static func table(_ checkpoint: Checkpoint) -> String {
        let tensors = checkpoint.tensors
        let path = TerminalText.escaped(checkpoint.path)
        let names = tensors.map { TerminalText.escaped($0.tensor.name) }
        let parameters = tensors.reduce(UInt64(0)) { $0 + $1.tensor.elementCount }
        let diskBytes = checkpoint.files.reduce(UInt64(0)) { $0 + $1.size }
        var dtypeCounts: [String: Int] = [:]
        for (_, tensor) in tensors { dtypeCounts[tensor.dtype.rawValue, default: 0] += 1 }
        var text =
            "\(path): \(checkpoint.files.count) file\(checkpoint.files.count == 1 ? "" : "s"), "
            + "\(tensors.count) tensors, \(Formatting.grouped(parameters)) parameters, "
            + "\(Formatting.bytes(diskBytes)) on disk\n"
        text +=
            "dtypes: " + dtypeCounts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            + "\n"
        for file in checkpoint.files {
            text +=
                "  \(TerminalText.escaped(file.path.lastPathComponent)): \(Formatting.grouped(file.size)) bytes, header \(Formatting.grouped(file.header.dataStart)) bytes, \(file.header.tensors.count) tensors\n"
        }
        let nameWidth = min(60, max(6, names.map(\.count).max() ?? 0))
        let dtypeWidth = max(5, tensors.map { $0.tensor.dtype.rawValue.count }.max() ?? 0)
        let shapeWidth = max(5, tensors.map { Formatting.shape($0.tensor.shape).count }.max() ?? 0)
        text +=
            "\n"
            + trimmedRow(
                Formatting.padded("TENSOR", nameWidth) + "  " + Formatting.padded("DTYPE", dtypeWidth) + "  "
                    + Formatting.padded("SHAPE", shapeWidth) + "  " + Formatting.padded("BYTES", 12)
                    + (checkpoint.files.count > 1 ? "  FILE" : "")) + "\n"
        for ((file, tensor), name) in zip(tensors, names) {
            text +=
                trimmedRow(
                    Formatting.padded(name, nameWidth) + "  "
                        + Formatting.padded(tensor.dtype.rawValue, dtypeWidth) + "  "
                        + Formatting.padded(Formatting.shape(tensor.shape), shapeWidth) + "  "
                        + Formatting.padded(Formatting.grouped(tensor.byteCount), 12)
                        + (checkpoint.files.count > 1 ? "  " + TerminalText.escaped(file.path.lastPathComponent) : ""))
                + "\n"
        }
        return text
    }

    private static func trimmedRow(_ row: String) -> String {
        String(row.reversed().drop { $0 == " " }.reversed())
    }
}
