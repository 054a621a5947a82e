import Synchronization

/// The ways of mapping a teacher's ids into the target vocabulary (`--map`).
public enum VocabularyMapping: String, Sendable, CaseIterable {
    /// The target token with the same bytes.
    case exact
    /// Exact, else the nearest target token by edit distance (FuseLLM's
    /// "soft" mapping).
    case edit
    /// Exact, else the target token the teacher's was most often aligned
    /// with over the data set (FuseChat 2's statistical mapping).
    case stat
}

/// A teacher-to-target vocabulary map: the target id each teacher id
/// stands for, or none (its probability mass is then dropped). A pure
/// function of the two vocabularies (and, for `stat`, of the counts), so
/// the same on every thread and machine; edit-distance neighbours are
/// searched the first time an id needs one and remembered.
public final class VocabularyMap: Sendable {
    public let mapping: VocabularyMapping
    /// Per teacher id: the target id, `unmapped`, or `unsearched` (edit).
    private let table: [Int32]
    private let nearest: NearestTokenIndex?
    private let teacherBytes: VocabularyBytes?
    private let searched = Mutex<[Int32: Int32]>([:])

    static let unmapped: Int32 = -1
    static let unsearched: Int32 = -2

    private init(
        mapping: VocabularyMapping, table: [Int32], nearest: NearestTokenIndex? = nil,
        teacherBytes: VocabularyBytes? = nil
    ) {
        self.mapping = mapping
        self.table = table
        self.nearest = nearest
        self.teacherBytes = teacherBytes
    }

    /// The map of a teacher that shares the target's tokenizer.
    public static func identity(count: Int) -> VocabularyMap {
        VocabularyMap(mapping: .exact, table: (0..<count).map { Int32($0) })
    }

    /// `exact` or `edit`; `stat` comes from `statistical(...)`.
    public static func make(
        _ mapping: VocabularyMapping, teacher: VocabularyBytes, target: VocabularyBytes, nearest: NearestTokenIndex?
    ) -> VocabularyMap {
        make(mapping, exact: exactTable(teacher: teacher, target: target), teacher: teacher, nearest: nearest)
    }

    /// The same from the teacher's `exactTable`, made once.
    static func make(
        _ mapping: VocabularyMapping, exact: [Int32], teacher: VocabularyBytes, nearest: NearestTokenIndex?
    ) -> VocabularyMap {
        guard mapping == .edit, let nearest else { return VocabularyMap(mapping: mapping, table: exact) }
        let table = exact.map { $0 == unmapped ? unsearched : $0 }
        return VocabularyMap(mapping: .edit, table: table, nearest: nearest, teacherBytes: teacher)
    }

    /// A `stat` map from the chosen target id of every teacher id that
    /// has no exact match but was aligned with something.
    static func statistical(exact: [Int32], learned: [Int32: Int32]) -> VocabularyMap {
        var table = exact
        for (teacherID, targetID) in learned where Int(teacherID) < table.count { table[Int(teacherID)] = targetID }
        return VocabularyMap(mapping: .stat, table: table)
    }

    /// The target id of teacher id `id`, nil when it has none.
    public func target(of id: Int32) -> Int32? {
        guard id >= 0 && Int(id) < table.count else { return nil }
        let value = table[Int(id)]
        if value >= 0 { return value }
        guard value == Self.unsearched, let nearest, let teacherBytes else { return nil }
        if let known = searched.withLock({ $0[id] }) { return known }
        let found = nearest.nearest(teacherBytes[id])
        searched.withLock { $0[id] = found }
        return found
    }

    /// Per teacher id, the smallest target id with the same bytes, or
    /// `unmapped`. Ids with no bytes (unknown to the tokenizer) map to nothing.
    static func exactTable(teacher: VocabularyBytes, target: VocabularyBytes) -> [Int32] {
        var index: [[UInt8]: Int32] = [:]
        index.reserveCapacity(target.count)
        for id in stride(from: target.count - 1, through: 0, by: -1) where !target.tokens[id].isEmpty {
            index[target.tokens[id]] = Int32(id)
        }
        return teacher.tokens.map { $0.isEmpty ? unmapped : index[$0] ?? unmapped }
    }
}
