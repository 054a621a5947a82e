import Base
import Checkpoint
import Merge

/// `smelt verify PATH [--inputs] [--json]`.
enum VerifyCommand: Command {
    static let name = "verify"
    static let overview = """
          verify PATH [--inputs] [--json]  check every digest, the manifest and, in a
                                           Hugging Face cache, each file's SHA-256
        """
    static let spec = ArgumentSpec(flags: ["json", "inputs"], positionalCount: 1...1, positionalNames: "PATH")

    static let help = """
        usage: smelt verify PATH [--inputs] [--json]

        Proves a checkpoint is intact. Checks the structure of every file; the
        bytes of every tensor against the digests Smelt stores in each shard's
        header (a placeholder left unpatched means an unfinished file); the
        folder against smelt-manifest.json (files, sizes, header and tensor
        digests, nothing missing or added); and, for a snapshot folder of the
        Hugging Face cache (.../models--org--name/snapshots/REV), the SHA-256 of
        every large file against the blob name the cache stores it under. A
        checkpoint written by another tool stores no digests: only its
        structure can be checked, and the report says so.

        options:
          --inputs    also re-check the inputs the manifest names that are still
                      present (a merge's models, a conversion's GGUF): size and
                      header digest
          --json      one JSON object with every problem found
          -h, --help  show this help

        exit codes: 0 everything matches, 1 a problem was found (each is listed:
        file, tensor, what is wrong), 66 PATH does not exist, 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let path = arguments.positionals[0]
        if CacheCommand.isCache(path) { return CacheCommand.verify(path) }
        let wantsJSON = arguments.flags.contains("json")
        let expectedBytes = (try? Checkpoint(path: path))?.tensorByteCount ?? 0
        let progress = ProgressBar(label: "verify", totalBytes: expectedBytes, enabled: !wantsJSON)
        let report = try Verifier.verify(
            path: path, checkInputs: arguments.flags.contains("inputs"), unlistedFileNames: [RunHistory.fileName],
            progress: progress.advance)
        progress.finish()
        writeToStandardOutput(wantsJSON ? json(report).rendered(pretty: true) + "\n" : text(report))
        return report.isClean ? .success : .verificationFailed
    }

    static func json(_ report: VerificationReport) -> JSONOutput {
        .object([
            ("path", .string(report.path)),
            ("ok", .bool(report.isClean)),
            (
                "files",
                .array(
                    report.files.map { file in
                        .object([
                            ("name", .string(file.path.lastPathComponent)), ("size", .unsigned(file.size)),
                            ("header_xxh3", .string(XXH3.hex(file.header))),
                            ("tensor_count", .unsigned(UInt64(file.tensors.count))),
                        ])
                    })
            ),
            ("tensors_verified", .unsigned(UInt64(report.tensorsVerified))),
            ("tensors_without_digest", .unsigned(UInt64(report.tensorsWithoutDigest))),
            ("stored_digests", .bool(report.hasStoredDigests)),
            ("manifest_checked", .bool(report.manifestChecked)),
            ("inputs_checked", .unsigned(UInt64(report.inputsChecked))),
            ("inputs_missing", .unsigned(UInt64(report.inputsMissing))),
            ("hub_files_checked", .unsigned(UInt64(report.hubFilesChecked))),
            ("hub_files_not_checkable", .unsigned(UInt64(report.hubFilesNotCheckable))),
            (
                "problems",
                .array(
                    report.problems.map { problem in
                        .object([
                            ("file", .string(problem.file)),
                            ("tensor", problem.tensor.map(JSONOutput.string) ?? .null),
                            ("problem", .string(problem.problem)),
                        ])
                    })
            ),
        ])
    }

    /// One line per problem and a verdict; paths, names and problems are
    /// escaped (TerminalText), so each stays one line.
    static func text(_ report: VerificationReport) -> String {
        var lines = report.problems.map { "problem: " + TerminalText.escaped($0.description) }
        let total = report.files.reduce(0) { $0 + $1.tensors.count }
        var checked: [String]
        if report.files.isEmpty {
            checked = ["the files could not be read as a checkpoint, so no tensor was checked"]
        } else if !report.hasStoredDigests {
            checked = [
                "structure valid; no stored digests to check the \(total) tensor\(total == 1 ? "" : "s") against "
                    + "(written by another tool)"
            ]
        } else {
            checked = ["\(report.tensorsVerified) of \(total) tensors match their stored digests"]
            if report.tensorsWithoutDigest > 0 {
                checked.append(
                    "\(report.tensorsWithoutDigest) without a stored digest were checked for structure and read in full"
                )
            }
        }
        if report.manifestChecked { checked.append("manifest checked") }
        if report.inputsChecked + report.inputsMissing > 0 {
            checked.append("\(report.inputsChecked) inputs re-checked, \(report.inputsMissing) no longer present")
        }
        if report.hubFilesChecked + report.hubFilesNotCheckable > 0 {
            checked.append(
                "\(report.hubFilesChecked) cache file\(report.hubFilesChecked == 1 ? "" : "s") checked against SHA-256 blob names"
                    + (report.hubFilesNotCheckable > 0
                        ? ", \(report.hubFilesNotCheckable) small files named by git id not checked" : ""))
        }
        let verdict =
            report.isClean ? "ok" : "FAILED (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"))"
        lines.append("\(TerminalText.escaped(report.path)): \(verdict): " + checked.joined(separator: "; "))
        return lines.joined(separator: "\n") + "\n"
    }
}
