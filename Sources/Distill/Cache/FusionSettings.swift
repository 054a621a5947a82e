import Base

/// How a fused logit cache was made (`smelt fuse`): the alignment, the
/// vocabulary mapping, the fusion method, and each teacher cache by name
/// and manifest digest. Part of the fused cache's identity, so a resume
/// with other teachers or settings is refused naming the change.
public struct FusionSettings: Equatable, Sendable {
    public struct Teacher: Equatable, Sendable {
        public let name: String
        /// XXH3-64 of the teacher cache's `smelt-cache.json`.
        public let manifestDigest: UInt64

        public init(name: String, manifestDigest: UInt64) {
            self.name = name
            self.manifestDigest = manifestDigest
        }
    }

    public let alignment: String
    public let mapping: String
    public let method: String
    public let teachers: [Teacher]

    public init(alignment: String, mapping: String, method: String, teachers: [Teacher]) {
        self.alignment = alignment
        self.mapping = mapping
        self.method = method
        self.teachers = teachers
    }

    /// How a message names the settings.
    var text: String {
        "--align \(alignment) --map \(mapping) --fusion \(method), teachers "
            + teachers.map { "\($0.name) (\(XXH3.hex($0.manifestDigest)))" }.joined(separator: ", ")
    }

    var json: JSONOutput {
        .object([
            ("align", .string(alignment)), ("map", .string(mapping)), ("method", .string(method)),
            (
                "teachers",
                .array(
                    teachers.map {
                        .object([("name", .string($0.name)), ("manifest_xxh3", .string(XXH3.hex($0.manifestDigest)))])
                    })
            ),
        ])
    }

    init(json node: JSONNode, place: String) throws(LogitCacheFolderError) {
        let fields = ManifestFields(node, place: place)
        alignment = try fields.string("align")
        mapping = try fields.string("map")
        method = try fields.string("method")
        teachers = try fields.array("teachers").map { (teacher) throws(LogitCacheFolderError) in
            Teacher(name: try teacher.string("name"), manifestDigest: try teacher.digest("manifest_xxh3"))
        }
    }
}
