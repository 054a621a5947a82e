import Base
import Checkpoint
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Whole conversions of small synthetic GGUFs: the values transformers
/// would load, bit for bit; the same bytes for any chunk size and thread
/// count; a run stopped part-way resumes; reruns, other outputs and the
/// extra-files hook.
@Suite struct GGUFConversionTests {
    /// Writes `model` and converts it into `folder/out`.
    @discardableResult
    static func convert(
        _ model: TinyGGUF, in folder: String, options: ConvertOptions = ConvertOptions(threads: 2),
        output: String = "out"
    ) throws -> ConvertResult {
        let path = folder + "/m.gguf"
        if (try? FileSystem.status(path)) == nil { try TestFiles.write(model.bytes, to: path) }
        return try GGUFConversion.run(ggufPath: path, outputPath: folder + "/" + output, options: options)
    }

    /// Every tensor of the output folder, decoded to Float32, by name.
    static func tensors(_ folder: String) throws -> [String: (dtype: DType?, shape: [Int], values: [Float])] {
        let checkpoint = try Checkpoint(path: folder)
        var result: [String: (DType?, [Int], [Float])] = [:]
        for file in checkpoint.files {
            for (index, info) in file.tensorInfos.enumerated() {
                var values = [Float](repeating: .nan, count: info.elementCount)
                var scratch = [UInt8](repeating: 0, count: max(1, Int(info.byteCount)))
                try values.withUnsafeMutableBufferPointer { values in
                    try scratch.withUnsafeMutableBytes { scratch in
                        try file.decode(tensor: index, elements: 0..<info.elementCount, into: values, scratch: scratch)
                    }
                }
                result[info.name] = (info.dtype, info.shape, values)
            }
        }
        return result
    }

    /// The digests the manifest lists, by tensor.
    static func digests(_ folder: String) throws -> [String: UInt64] {
        let path = folder + "/" + Manifest.fileName
        let manifest = try Manifest(path: path, bytes: try TestFiles.read(path))
        return Dictionary(uniqueKeysWithValues: manifest.tensors.map { ($0.name, $0.digest) })
    }

    /// What transformers loads for a GGUF tensor, computed here from the
    /// definitions (not through the converter's own transform code).
    static func expected(_ tensor: TinyGGUF.Tensor, architecture: String) -> [Float] {
        let name = tensor.name
        if architecture == "gemma3", name.hasSuffix("norm.weight") { return tensor.values.map { $0 - 1 } }
        guard architecture == "llama", name.hasSuffix("attn_q.weight") || name.hasSuffix("attn_k.weight") else {
            return tensor.values
        }
        let heads = name.hasSuffix("attn_q.weight") ? TinyGGUF.headCount : TinyGGUF.keyValueHeadCount
        let (rows, columns) = (tensor.shape[0], tensor.shape[1])
        let dim = rows / heads / 2
        // numpy: w.reshape(heads, dim, 2, columns).swapaxes(2, 1).reshape(rows, columns)
        var values: [Float] = []
        for head in 0..<heads {
            for part in 0..<2 {
                for row in 0..<dim {
                    let start = ((head * dim + row) * 2 + part) * columns
                    values += tensor.values[start..<start + columns]
                }
            }
        }
        return values
    }

    static func name(of ggufName: String, architecture: String) -> String? {
        let plan = try? GGUFConversionPlanTests.plan(
            architecture == "llama" ? .llama() : architecture == "qwen2" ? .qwen2() : .gemma3())
        return plan?.tensors.first { $0.sourceName == ggufName }?.name
    }

    @Test(arguments: ["llama", "qwen2", "gemma3"])
    func float32OutputHoldsExactlyWhatTransformersLoads(architecture: String) throws {
        let model: TinyGGUF = architecture == "llama" ? .llama() : architecture == "qwen2" ? .qwen2() : .gemma3()
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        var options = ConvertOptions(threads: 3)
        options.dtype = .f32
        options.chunkBytes = 1024
        let result = try Self.convert(model, in: folder, options: options)
        #expect(result.outcome == .converted && result.architecture == architecture)
        let written = try Self.tensors(folder + "/out")
        #expect(written.count == model.tensors.count)
        for tensor in model.tensors {
            let name = try #require(Self.name(of: tensor.name, architecture: architecture))
            let output = try #require(written[name], "\(name)")
            #expect(output.dtype == .f32 && output.shape == tensor.shape, "\(name)")
            #expect(
                output.values.map(\.bitPattern)
                    == Self.expected(tensor, architecture: architecture).map(\.bitPattern), "\(name)")
        }
        let listed = try FileSystem.contents(ofDirectory: folder + "/out").sorted()
        #expect(
            listed == [
                "chat_template.jinja", "config.json", "generation_config.json", "model.safetensors",
                "smelt-manifest.json", "smelt-run.json",
            ])
        #expect(try TestFiles.read(folder + "/out/chat_template.jinja") == Array("{{ messages }}".utf8))
        let report = try Verifier.verify(path: folder + "/out", unlistedFileNames: [RunHistory.fileName])
        #expect(report.isClean && report.manifestChecked)
    }

    @Test func bfloat16IsFloat32RoundedToNearestEven() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        var model = TinyGGUF.qwen2()
        // Values halfway between two bfloat16s, both parities, and one just above.
        model.tensors[0].values[0] = Float(bitPattern: 0x3F80_8000)
        model.tensors[0].values[1] = Float(bitPattern: 0x3F81_8000)
        model.tensors[0].values[2] = Float(bitPattern: 0x3F80_8001)
        try Self.convert(model, in: folder)
        let embedding = try #require(try Self.tensors(folder + "/out")["model.embed_tokens.weight"])
        #expect(embedding.dtype == .bf16)
        #expect(Array(embedding.values[0..<3].map(\.bitPattern)) == [0x3F80_0000, 0x3F82_0000, 0x3F81_0000])
        func roundedToBFloat16(_ value: Float) -> UInt32 {
            let bits = value.bitPattern
            return (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        }
        #expect(embedding.values.map(\.bitPattern) == model.tensors[0].values.map(roundedToBFloat16))
    }

    @Test func theBytesAreTheSameForAnyChunkSizeAndThreadCount() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        var model = TinyGGUF.llama(tied: false)
        model.tensors[0].type = .q8_0  // blocks of 32 inside chunks of whole heads
        var reference: [String: UInt64]?
        for (index, (threads, chunkBytes)) in [(1, UInt64?.none), (3, 1024), (2, 4096), (4, 64)].enumerated() {
            var options = ConvertOptions(threads: threads)
            options.chunkBytes = chunkBytes
            try Self.convert(model, in: folder, options: options, output: "out\(index)")
            let digests = try Self.digests(folder + "/out\(index)")
            #expect(digests == reference ?? digests, "threads \(threads), chunks of \(chunkBytes ?? 0) bytes")
            reference = reference ?? digests
        }
    }

    @Test func aStoppedRunResumesKeepingItsChunks() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let model = TinyGGUF.gemma3()
        try Self.convert(model, in: folder, output: "reference")
        var options = ConvertOptions(threads: 2)
        options.chunkBytes = 1024
        let stop = StopRequest()
        options.stop = stop
        var seen: UInt64 = 0
        let path = folder + "/m.gguf"
        let error = #expect(throws: ConvertError.self) {
            _ = try GGUFConversion.run(
                ggufPath: path, outputPath: folder + "/out", options: options,
                progress: { bytes in
                    seen += bytes
                    if seen > 20_000 { stop.request(signal: SIGINT) }
                })
        }
        let stopped = try #require(error)
        guard case .interrupted(let signal, _, let kept) = stopped else {
            Issue.record("expected an interruption, got \(stopped)")
            return
        }
        #expect(signal == SIGINT && kept > 20_000)
        #expect(try FileSystem.status(folder + "/out") == nil)
        options.stop = nil
        let resumed = try GGUFConversion.run(ggufPath: path, outputPath: folder + "/out", options: options)
        let keptBytes = try #require(resumed.resume?.keptBytes)
        #expect(keptBytes > 20_000 && resumed.resume?.redoneUnits == 0)
        #expect(try Self.digests(folder + "/out") == Self.digests(folder + "/reference"))
        #expect(
            try TestFiles.read(folder + "/out/model.safetensors")
                == TestFiles.read(folder + "/reference/model.safetensors"))
    }

    @Test func aResumeOfAnotherDTypeIsRefusedNamingIt() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        var options = ConvertOptions(threads: 1)
        options.chunkBytes = 1024
        let stop = StopRequest()
        stop.request(signal: StopSignals.terminate)
        options.stop = stop
        #expect(throws: ConvertError.self) { try Self.convert(.llama(), in: folder, options: options) }
        options.stop = nil
        options.dtype = .f16
        let error = #expect(throws: WriterError.self) { try Self.convert(.llama(), in: folder, options: options) }
        let refused = try #require(error)
        guard case .resumeRefused(_, let reason) = refused else {
            Issue.record("\(refused)")
            return
        }
        #expect(reason == "--dtype was bf16, now f16")
        options.restart = true
        #expect(try Self.convert(.llama(), in: folder, options: options).resume == nil)
    }

    @Test func aRerunIsANoOpAndAnotherOutputIsReplacedOnlyWithForce() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        #expect(try Self.convert(.llama(), in: folder).outcome == .converted)
        #expect(try Self.convert(.llama(), in: folder).outcome == .alreadyDone)
        var options = ConvertOptions(threads: 2)
        options.dtype = .f32
        let error = #expect(throws: ConvertError.self) { try Self.convert(.llama(), in: folder, options: options) }
        let different = try #require(error)
        guard case .outputHoldsDifferentOutput(_, let problem) = different else {
            Issue.record("\(different)")
            return
        }
        #expect(problem.contains("plan digest"))
        #expect(error?.exitCode == .cannotCreateOutput)
        options.force = true
        #expect(try Self.convert(.llama(), in: folder, options: options).outcome == .converted)
        #expect(try Self.tensors(folder + "/out")["model.norm.weight"]?.dtype == .f32)
    }

    @Test func extraFilesComeFromTheHookAndJoinTheManifest() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        var options = ConvertOptions(threads: 2)
        options.extraFiles = { metadata in
            let name = metadata["general.name"]?.stringValue ?? "?"
            return [ConversionFile(name: "tokenizer.json", bytes: Array("{\"name\": \"\(name)\"}".utf8))]
        }
        try Self.convert(.qwen2(), in: folder, options: options)
        #expect(try TestFiles.read(folder + "/out/tokenizer.json") == Array("{\"name\": \"Tiny qwen2\"}".utf8))
        #expect(try FileSystem.status(folder + "/out/chat_template.jinja") == nil)
        let path = folder + "/out/" + Manifest.fileName
        let manifest = try Manifest(path: path, bytes: try TestFiles.read(path))
        #expect(manifest.files.contains { $0.name == "tokenizer.json" && $0.contentDigest != nil })
        #expect(manifest.inputs.count == 1 && manifest.inputs[0].pathAsWritten == folder + "/m.gguf")
        // Other extra bytes are another output.
        options.extraFiles = { _ in [ConversionFile(name: "tokenizer.json", bytes: Array("{}".utf8))] }
        #expect(throws: ConvertError.self) { try Self.convert(.qwen2(), in: folder, options: options) }
    }

    @Test func theBuffersStayWithinTheBudget() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let budget: UInt64 = 16 << 20
        let result = try Self.convert(.llama(), in: folder, options: ConvertOptions(memoryBudget: budget, threads: 4))
        let peak = try #require(result.reservedPeakBytes)
        #expect(peak > 0 && peak <= budget)
        let tooSmall = #expect(throws: ByteBudgetError.self) {
            try Self.convert(.llama(), in: folder, options: ConvertOptions(memoryBudget: 64 << 10, threads: 1),
                output: "small")
        }
        #expect(tooSmall?.exitCode == .usage)
    }
}
