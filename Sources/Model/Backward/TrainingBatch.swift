/// Training records laid end to end as flat token-major rows: each record
/// is its own causal sequence, positions counted from 0.
struct TrainingBatch {
    let records: [TrainingRecord]
    /// Each record's first flat row.
    let offsets: [Int]
    /// Each row's position in its record.
    let positions: [Int32]
    /// Each row's token.
    let ids: [Int]

    var rowCount: Int { ids.count }

    init(records: [TrainingRecord]) {
        self.records = records
        var offsets: [Int] = []
        var positions: [Int32] = []
        var ids: [Int] = []
        for record in records {
            offsets.append(ids.count)
            positions += (0..<record.ids.count).map { Int32($0) }
            ids += record.ids.map { Int($0) }
        }
        self.offsets = offsets
        self.positions = positions
        self.ids = ids
    }
}
