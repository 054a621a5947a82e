import Base

/// The activations of a batch of records, token-major: record r's rows are
/// `[offsets[r], offsets[r] + records[r].count)` of every buffer.
final class Batch: Sendable {
    let records: [[Int]]
    let offsets: [Int]
    let hidden: FloatBuffer
    let query: FloatBuffer
    let key: FloatBuffer
    let value: FloatBuffer
    let attention: FloatBuffer
    /// The final norm's output, for the vocabulary pass.
    let normalized: FloatBuffer

    init(records: [[Int]], config: ModelConfig, budget: ByteBudget) throws(ByteBudgetError) {
        self.records = records
        var offsets: [Int] = []
        var total = 0
        for record in records {
            offsets.append(total)
            total += record.count
        }
        self.offsets = offsets
        hidden = try FloatBuffer(count: total * config.hiddenSize, budget: budget, purpose: "hidden states")
        query = try FloatBuffer(count: total * config.queryWidth, budget: budget, purpose: "queries")
        key = try FloatBuffer(count: total * config.keyValueWidth, budget: budget, purpose: "keys")
        value = try FloatBuffer(count: total * config.keyValueWidth, budget: budget, purpose: "values")
        attention = try FloatBuffer(count: total * config.queryWidth, budget: budget, purpose: "attention outputs")
        normalized = try FloatBuffer(count: total * config.hiddenSize, budget: budget, purpose: "final norms")
    }

    /// Every (record, first row) tile of `tileRows` rows, in record order.
    func tiles(rows tileRows: Int) -> [(record: Int, start: Int, rows: Int)] {
        var tiles: [(Int, Int, Int)] = []
        for (index, record) in records.enumerated() {
            for start in stride(from: 0, to: record.count, by: tileRows) {
                tiles.append((index, start, min(tileRows, record.count - start)))
            }
        }
        return tiles
    }
}
