import Base

/// What fusion did with one record, kept beside it in the fused cache
/// (`fusion.smsp`, one block per record): which teacher(s) it used and
/// how well each aligned. Sums over the record's loss positions, so notes
/// add up into the run's summary.
public struct FusionNote: Sendable, Equatable {
    public struct Teacher: Sendable, Equatable {
        /// Mean cross-entropy on the teacher's own loss positions (its cache).
        public var crossEntropy: Double
        /// Its weight in the fused distribution (minCE: 1 for the chosen one).
        public var weight: Double
        /// Loss positions whose token pairs one-to-one with a teacher token.
        public var oneToOne: Int
        /// Loss positions given the teacher's distribution.
        public var aligned: Int
        /// Loss positions that fell back to one-hot on the gold token.
        public var fallback: Int
        /// Sum over aligned positions of the mass the mapping dropped.
        public var droppedMass: Double
        /// Sum over loss positions of KL(teacher ‖ fused), fused
        /// probabilities floored at `FusionNote.klFloor`.
        public var divergence: Double
    }

    public static let klFloor = 1e-6

    public var ordinal: Int
    public var lossPositions: Int
    /// Loss positions no teacher gave a distribution (one-hot on the gold token).
    public var fallback: Int = 0
    public var teachers: [Teacher]

    public var json: JSONOutput {
        .object([
            ("ordinal", .integer(Int64(ordinal))), ("loss_positions", .integer(Int64(lossPositions))),
            ("fallback", .integer(Int64(fallback))),
            (
                "teachers",
                .array(
                    teachers.map {
                        .object([
                            ("ce", .double($0.crossEntropy)), ("weight", .double($0.weight)),
                            ("one_to_one", .integer(Int64($0.oneToOne))), ("aligned", .integer(Int64($0.aligned))),
                            ("fallback", .integer(Int64($0.fallback))), ("dropped_mass", .double($0.droppedMass)),
                            ("kl", .double($0.divergence)),
                        ])
                    })
            ),
        ])
    }

    public var bytes: [UInt8] { Array(json.rendered().utf8) }

    /// Reads a note written by `bytes`; `place` names it in errors.
    public init(bytes: [UInt8], place: String) throws(LogitCacheFolderError) {
        let root: JSONNode
        do { root = try bytes.withUnsafeBytes { try JSONScanner.parse($0) } } catch {
            throw .damaged(place: place, problem: "a fusion note is not JSON")
        }
        let fields = ManifestFields(root, place: place)
        ordinal = try fields.integer("ordinal")
        lossPositions = try fields.integer("loss_positions")
        fallback = try fields.integer("fallback")
        teachers = try fields.array("teachers").map { (teacher) throws(LogitCacheFolderError) in
            Teacher(
                crossEntropy: try teacher.double("ce"), weight: try teacher.double("weight"),
                oneToOne: try teacher.integer("one_to_one"), aligned: try teacher.integer("aligned"),
                fallback: try teacher.integer("fallback"), droppedMass: try teacher.double("dropped_mass"),
                divergence: try teacher.double("kl"))
        }
    }

    public init(ordinal: Int, lossPositions: Int, teachers: [Teacher]) {
        self.ordinal = ordinal
        self.lossPositions = lossPositions
        self.teachers = teachers
    }
}
