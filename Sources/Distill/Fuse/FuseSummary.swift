import Base

/// The totals of a fusion, added up from the records' notes: records,
/// target tokens, loss positions, and per teacher the shares of loss
/// positions paired one-to-one, given its distribution and fallen back to
/// one-hot, the mean dropped mass, the mean KL to the fused distribution,
/// and how many records it was chosen for (minCE) or its mean weight.
public struct FuseSummary: Sendable, Equatable {
    public struct Teacher: Sendable, Equatable {
        public var oneToOne = 0
        public var aligned = 0
        public var fallback = 0
        public var droppedMass = 0.0
        public var divergence = 0.0
        public var weight = 0.0
        public var chosen = 0
    }

    public var records = 0
    public var tokens = 0
    public var lossPositions = 0
    public var fallback = 0
    public var teachers: [Teacher]

    public init(teacherCount: Int) { teachers = Array(repeating: Teacher(), count: teacherCount) }

    mutating func add(_ note: FusionNote) {
        lossPositions += note.lossPositions
        fallback += note.fallback
        for (index, entry) in note.teachers.enumerated() where index < teachers.count {
            teachers[index].oneToOne += entry.oneToOne
            teachers[index].aligned += entry.aligned
            teachers[index].fallback += entry.fallback
            teachers[index].droppedMass += entry.droppedMass
            teachers[index].divergence += entry.divergence
            teachers[index].weight += entry.weight
            if entry.weight == 1 { teachers[index].chosen += 1 }
        }
    }

    /// `part` of the loss positions, 0 when there are none.
    public func share(_ part: Int) -> Double { lossPositions > 0 ? Double(part) / Double(lossPositions) : 0 }

    /// The summary as JSON, teachers named by `names`.
    public func json(names: [String]) -> JSONOutput {
        .object([
            ("records", .integer(Int64(records))), ("target_tokens", .integer(Int64(tokens))),
            ("loss_positions", .integer(Int64(lossPositions))), ("fallback_share", .double(share(fallback))),
            (
                "teachers",
                .array(
                    zip(names, teachers).map { name, teacher in
                        .object([
                            ("cache", .string(name)), ("one_to_one_share", .double(share(teacher.oneToOne))),
                            ("aligned_share", .double(share(teacher.aligned))),
                            ("fallback_share", .double(share(teacher.fallback))),
                            (
                                "dropped_mass",
                                .double(teacher.aligned > 0 ? teacher.droppedMass / Double(teacher.aligned) : 0)
                            ),
                            ("mean_kl", .double(lossPositions > 0 ? teacher.divergence / Double(lossPositions) : 0)),
                            ("records_chosen", .integer(Int64(teacher.chosen))),
                            ("mean_weight", .double(records > 0 ? teacher.weight / Double(records) : 0)),
                        ])
                    })
            ),
        ])
    }
}
