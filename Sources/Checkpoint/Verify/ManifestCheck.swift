import Base
/// Checks a folder against its smelt-manifest.json: every listed file is
/// there with its size and digest, every listed tensor is where the
/// manifest says with the same dtype, shape and digest, and nothing
/// unlisted has appeared.
enum ManifestCheck {
    static func run(
        folder: String, computed: [String: (file: String, digest: UInt64)], report: inout VerificationReport,
        checkInputs: Bool,
        unlistedFileNames: Set<String>
    ) throws {
        let manifestPath = folder + "/" + Manifest.fileName
        let manifest: Manifest
        do {
            manifest = try Manifest(path: manifestPath, bytes: FileSystem.readSmallFile(manifestPath, limit: 1 << 30))
        } catch let error as Manifest.ParseError {
            report.report(error.file, nil, error.message)
            return
        }
        report.manifestChecked = true
        let headerDigests = Dictionary(
            report.files.map { ($0.path.lastPathComponent, $0.header) }, uniquingKeysWith: { first, _ in first })
        var listed = unlistedFileNames.union([Manifest.fileName])
        for entry in manifest.files {
            listed.insert(entry.name)
            let path = folder + "/" + entry.name
            guard CheckpointIndex.isPlainFileName(entry.name), let status = try FileSystem.status(path) else {
                report.report(path, nil, "listed in the manifest but missing")
                continue
            }
            if status.size != entry.size {
                report.report(path, nil, "size is \(status.size) bytes, the manifest says \(entry.size)")
            } else if let expected = entry.headerDigest, let actual = headerDigests[entry.name], expected != actual {
                report.report(
                    path, nil, "header digest \(XXH3.hex(actual)) differs from the manifest's \(XXH3.hex(expected))")
            } else if let expected = entry.contentDigest {
                let actual = XXH3.digest(try FileSystem.readSmallFile(path, limit: 1 << 30))
                if actual != expected {
                    report.report(
                        path, nil,
                        "content digest \(XXH3.hex(actual)) differs from the manifest's \(XXH3.hex(expected))")
                }
            }
        }
        for name in try FileSystem.contents(ofDirectory: folder) where !name.hasPrefix(".") && !listed.contains(name) {
            report.report(folder + "/" + name, nil, "not listed in the manifest")
        }
        var seen = Set<String>()
        for tensor in manifest.tensors {
            seen.insert(tensor.name)
            guard let actual = computed[tensor.name] else {
                if headerDigests[tensor.file] != nil {
                    report.report(folder + "/" + tensor.file, tensor.name, "listed in the manifest but not stored")
                }
                continue
            }
            if actual.file != tensor.file {
                report.report(
                    folder + "/" + actual.file, tensor.name, "stored here, but the manifest says \(tensor.file)")
            } else if actual.digest != tensor.digest {
                report.report(
                    folder + "/" + tensor.file, tensor.name,
                    "data hashes to \(XXH3.hex(actual.digest)), the manifest says \(XXH3.hex(tensor.digest))")
            } else {
                report.verifiedTensorNames.insert(tensor.name)
            }
        }
        for (name, location) in computed.sorted(by: { $0.key < $1.key }) where !seen.contains(name) {
            report.report(folder + "/" + location.file, name, "stored but not listed in the manifest")
        }
        if checkInputs { try checkInputFiles(manifest.inputs, &report) }
    }

    private static func checkInputFiles(_ inputs: [Manifest.Input], _ report: inout VerificationReport) throws {
        for input in inputs {
            guard let status = try FileSystem.status(input.resolvedPath) else {
                report.inputsMissing += 1
                continue
            }
            report.inputsChecked += 1
            if status.size != input.size {
                report.report(input.resolvedPath, nil, "input is \(status.size) bytes now, \(input.size) when the output was made")
                continue
            }
            let digest: UInt64
            if GGUFFile.hasMagic(path: input.resolvedPath) {
                digest = try GGUFFile(path: input.resolvedPath).headerDigest()
            } else {
                let file = try SafeTensorsFile(path: input.resolvedPath)
                digest = file.mapping.withBytes(in: file.headerRange) { XXH3.digest($0) }
            }
            if digest != input.headerDigest {
                report.report(
                    input.resolvedPath, nil,
                    "input header digest is \(XXH3.hex(digest)) now, \(XXH3.hex(input.headerDigest)) when the output was made")
            }
        }
    }
}
