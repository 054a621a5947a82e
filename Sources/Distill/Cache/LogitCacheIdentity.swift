import Base
import Model

/// What a logit cache is a function of (DESIGN.md, "Logit cache"): the
/// teacher (its config, its tokenizer and chat template, its weight files'
/// sizes and header digests), the data file (name, size, XXH3-64 of its
/// bytes), K, and the Smelt version. No paths and no modification times:
/// shards computed on different machines have the same identity.
public struct LogitCacheIdentity: Equatable, Sendable {
    /// One weight file of the teacher.
    public struct WeightFile: Equatable, Sendable {
        public let name: String
        public let size: UInt64
        public let headerDigest: UInt64

        public init(name: String, size: UInt64, headerDigest: UInt64) {
            self.name = name
            self.size = size
            self.headerDigest = headerDigest
        }
    }

    public let version: String
    public let teacherName: String
    public let configDigest: UInt64
    /// The tokenizer files and the chat template in use, in one digest.
    public let tokenizerDigest: UInt64
    public let weights: [WeightFile]
    public let dataName: String
    public let dataSize: UInt64
    public let dataDigest: UInt64
    public let topK: Int
    public let vocabularySize: Int
    /// Sampled targets instead of the top-K (`smelt logits --sample`).
    public let sampling: TokenSampling?
    /// How a fused cache (`smelt fuse`) was made; nil for a model's own.
    public let fusion: FusionSettings?

    public init(
        teacherName: String, configDigest: UInt64, tokenizerDigest: UInt64, weights: [WeightFile],
        dataName: String, dataSize: UInt64, dataDigest: UInt64, topK: Int, vocabularySize: Int,
        sampling: TokenSampling? = nil, fusion: FusionSettings? = nil, version: String = smeltVersion
    ) {
        self.sampling = sampling
        self.fusion = fusion
        self.version = version
        self.teacherName = teacherName
        self.configDigest = configDigest
        self.tokenizerDigest = tokenizerDigest
        self.weights = weights
        self.dataName = dataName
        self.dataSize = dataSize
        self.dataDigest = dataDigest
        self.topK = topK
        self.vocabularySize = vocabularySize
    }

    /// What differs between the run that made `self` and `current`, in
    /// words a user can act on; nil when they are the same.
    public func difference(from current: LogitCacheIdentity) -> String? {
        if version != current.version { return "it was made by Smelt \(version), this is Smelt \(current.version)" }
        if configDigest != current.configDigest || weights != current.weights || teacherName != current.teacherName {
            return "the teacher differs (\(teacherName) then, \(current.teacherName) now: config or weights changed)"
        }
        if tokenizerDigest != current.tokenizerDigest { return "the teacher's tokenizer or chat template changed" }
        if dataName != current.dataName || dataSize != current.dataSize || dataDigest != current.dataDigest {
            return "the data file differs (\(dataName), \(dataSize) bytes then; \(current.dataName), "
                + "\(current.dataSize) bytes now\(dataSize == current.dataSize ? ", other contents" : ""))"
        }
        if topK != current.topK { return "--top-k was \(topK), now \(current.topK)" }
        if vocabularySize != current.vocabularySize { return "the vocabulary size changed" }
        if sampling != current.sampling {
            return "--sample was \(sampling?.text ?? "off"), now \(current.sampling?.text ?? "off")"
        }
        if fusion != current.fusion {
            return "the fusion differs (\(fusion?.text ?? "none") then, \(current.fusion?.text ?? "none") now)"
        }
        return nil
    }

    /// The identity as manifest JSON.
    public var json: JSONOutput {
        .object([
            ("smelt_version", .string(version)),
            (
                "teacher",
                .object([
                    ("name", .string(teacherName)), ("config_xxh3", .string(XXH3.hex(configDigest))),
                    ("tokenizer_xxh3", .string(XXH3.hex(tokenizerDigest))),
                    ("vocabulary_size", .integer(Int64(vocabularySize))),
                    (
                        "weights",
                        .array(
                            weights.map {
                                .object([
                                    ("name", .string($0.name)), ("size", .unsigned($0.size)),
                                    ("header_xxh3", .string(XXH3.hex($0.headerDigest))),
                                ])
                            })
                    ),
                ])
            ),
            (
                "data",
                .object([
                    ("name", .string(dataName)), ("size", .unsigned(dataSize)),
                    ("xxh3", .string(XXH3.hex(dataDigest))),
                ])
            ),
            ("top_k", .integer(Int64(topK))),
        ] + (sampling.map { sampling in
            [("sample", .object([
                ("count", .integer(Int64(sampling.count))), ("temperature", .string("\(sampling.temperature)")),
                ("seed", .unsigned(sampling.seed)),
            ]))]
        } ?? []) + (fusion.map { [("fusion", $0.json)] } ?? []))
    }

    /// Reads an identity written by `json`; `place` names the file for errors.
    public init(json node: JSONNode, place: String) throws(LogitCacheFolderError) {
        let fields = ManifestFields(node, place: place)
        let teacher = try fields.object("teacher")
        let data = try fields.object("data")
        version = try fields.string("smelt_version")
        teacherName = try teacher.string("name")
        configDigest = try teacher.digest("config_xxh3")
        tokenizerDigest = try teacher.digest("tokenizer_xxh3")
        vocabularySize = try teacher.integer("vocabulary_size")
        weights = try teacher.array("weights").map { (file) throws(LogitCacheFolderError) in
            WeightFile(
                name: try file.string("name"), size: UInt64(try file.integer("size")),
                headerDigest: try file.digest("header_xxh3"))
        }
        dataName = try data.string("name")
        dataSize = UInt64(try data.integer("size"))
        dataDigest = try data.digest("xxh3")
        topK = try fields.integer("top_k")
        if fields.has("sample") {
            let sample = try fields.object("sample")
            guard let temperature = Double(try sample.string("temperature")) else {
                throw .damaged(place: place, problem: "\"temperature\" is not a number")
            }
            sampling = TokenSampling(
                count: try sample.integer("count"), temperature: temperature, seed: UInt64(try sample.integer("seed")))
        } else {
            sampling = nil
        }
        fusion = fields.has("fusion") ? try FusionSettings(json: try fields.node("fusion"), place: place) : nil
    }
}

extension TokenSampling {
    /// How a message names the setting.
    var text: String { "\(count) draws at temperature \(temperature), seed \(seed)" }
}
