import Base
/// `smelt-manifest.json`: what a published folder holds and the digests
/// that prove it (DESIGN.md, "Manifest"). Deterministic: no times, no hosts.
public struct Manifest: Sendable, Equatable {
    public static let fileName = "smelt-manifest.json"

    /// An input model file the output was made from.
    public struct Input: Sendable, Equatable {
        public var pathAsWritten: String
        public var resolvedPath: String
        public var size: UInt64
        public var modificationTime: String
        public var headerDigest: UInt64

        public init(
            pathAsWritten: String, resolvedPath: String, size: UInt64, modificationTime: String, headerDigest: UInt64
        ) {
            self.pathAsWritten = pathAsWritten
            self.resolvedPath = resolvedPath
            self.size = size
            self.modificationTime = modificationTime
            self.headerDigest = headerDigest
        }
    }

    /// A published file: safetensors shards are covered by their header
    /// digest (tensors are listed apart); other files by the digest of all
    /// their bytes.
    public struct File: Sendable, Equatable {
        public var name: String
        public var size: UInt64
        public var headerDigest: UInt64?
        public var contentDigest: UInt64?
    }

    /// A published tensor.
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var file: String
        public var dtype: DType
        public var shape: [UInt64]
        public var digest: UInt64
    }

    /// The version of the program that wrote the folder.
    public var version: String
    public var recipe: String?
    public var planDigest: UInt64?
    public var inputs: [Input] = []
    public var files: [File] = []
    public var tensors: [Tensor] = []

    public init(version: String, recipe: String? = nil, planDigest: UInt64? = nil, inputs: [Input] = []) {
        self.version = version
        self.recipe = recipe
        self.planDigest = planDigest
        self.inputs = inputs
    }

    /// The manifest as pretty JSON, keys in a fixed order.
    public func rendered() -> String {
        func optionalHex(_ value: UInt64?) -> JSONOutput { value.map { .string(XXH3.hex($0)) } ?? .null }
        let root = JSONOutput.object([
            ("smelt_version", .string(version)),
            ("recipe", recipe.map(JSONOutput.string) ?? .null),
            ("plan_xxh3", optionalHex(planDigest)),
            (
                "inputs",
                .array(
                    inputs.map { input in
                        .object([
                            ("path", .string(input.pathAsWritten)), ("resolved_path", .string(input.resolvedPath)),
                            ("size", .unsigned(input.size)), ("mtime", .string(input.modificationTime)),
                            ("header_xxh3", .string(XXH3.hex(input.headerDigest))),
                        ])
                    })
            ),
            (
                "files",
                .array(
                    files.map { file in
                        .object([
                            ("name", .string(file.name)), ("size", .unsigned(file.size)),
                            ("header_xxh3", optionalHex(file.headerDigest)),
                            ("content_xxh3", optionalHex(file.contentDigest)),
                        ])
                    })
            ),
            (
                "tensors",
                .array(
                    tensors.map { tensor in
                        .object([
                            ("name", .string(tensor.name)), ("file", .string(tensor.file)),
                            ("dtype", .string(tensor.dtype.rawValue)),
                            ("shape", .array(tensor.shape.map(JSONOutput.unsigned))),
                            ("xxh3", .string(XXH3.hex(tensor.digest))),
                        ])
                    })
            ),
        ])
        return root.rendered(pretty: true) + "\n"
    }
}
