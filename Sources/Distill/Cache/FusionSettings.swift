import Base

/// How a fused logit cache was made (`smelt fuse`): the alignment (and
/// its DTW band), the vocabulary mapping, the fusion method, and each
/// teacher cache by name and manifest digest. Part of the fused cache's
/// identity, so a resume with other teachers or settings is refused
/// naming the change.
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
    /// Half-width of the DTW band; nil for alignments that have none.
    public let band: Int?
    public let mapping: String
    public let method: String
    public let teachers: [Teacher]

    public init(alignment: String, band: Int? = nil, mapping: String, method: String, teachers: [Teacher]) {
        self.alignment = alignment
        self.band = band
        self.mapping = mapping
        self.method = method
        self.teachers = teachers
    }

    /// How a message names the settings.
    var text: String {
        "--align \(alignment)\(band.map { " --band \($0)" } ?? "") --map \(mapping) --fusion \(method), teachers "
            + teachers.map { "\($0.name) (\(XXH3.hex($0.manifestDigest)))" }.joined(separator: ", ")
    }

    var json: JSONOutput {
        var members: [(String, JSONOutput)] = [("align", .string(alignment))]
        if let band { members.append(("band", .integer(Int64(band)))) }
        let teacherList = teachers.map {
            JSONOutput.object([("name", .string($0.name)), ("manifest_xxh3", .string(XXH3.hex($0.manifestDigest)))])
        }
        members += [("map", .string(mapping)), ("method", .string(method)), ("teachers", .array(teacherList))]
        return .object(members)
    }

    init(json node: JSONNode, place: String) throws(LogitCacheFolderError) {
        let fields = ManifestFields(node, place: place)
        alignment = try fields.string("align")
        band = fields.has("band") ? try fields.integer("band") : nil
        mapping = try fields.string("map")
        method = try fields.string("method")
        teachers = try fields.array("teachers").map { (teacher) throws(LogitCacheFolderError) in
            Teacher(name: try teacher.string("name"), manifestDigest: try teacher.digest("manifest_xxh3"))
        }
    }
}
