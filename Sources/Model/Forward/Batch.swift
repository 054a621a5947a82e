import Base

/// The activations of a batch of records, token-major: record r's rows are
/// `[offsets[r], offsets[r] + records[r].count)` of every buffer. The
/// token-wise steps run on fixed tiles of the flat rows, across record
/// boundaries: a row of a matrix product depends on that row alone (see
/// `MatrixProduct.minimumRowCount`), so what a record gets never depends
/// on its neighbours. `paddingRowCount` rows past the last token let the
/// last tile be padded to that minimum; nothing reads what they hold.
final class Batch: Sendable {
    let records: [[Int]]
    let offsets: [Int]
    /// Tokens in the batch (rows holding a token).
    let rowCount: Int
    let paddingRowCount: Int
    /// Each row's position in its record (padding rows: 0).
    let positions: [Int32]
    let hidden: FloatBuffer
    /// Rows of `[query | key | value]` (`config.queryKeyValueWidth` wide).
    let queryKeyValue: FloatBuffer
    let attention: FloatBuffer
    /// The final norm's output, for the vocabulary pass.
    let normalized: FloatBuffer

    init(records: [[Int]], config: ModelConfig, paddingRowCount: Int, budget: ByteBudget) throws(ByteBudgetError) {
        self.records = records
        var offsets: [Int] = []
        var positions: [Int32] = []
        for record in records {
            offsets.append(positions.count)
            positions += (0..<record.count).map { Int32($0) }
        }
        self.offsets = offsets
        rowCount = positions.count
        self.paddingRowCount = paddingRowCount
        self.positions = positions + [Int32](repeating: 0, count: paddingRowCount)
        let rows = rowCount + paddingRowCount
        hidden = try FloatBuffer(count: rows * config.hiddenSize, budget: budget, purpose: "hidden states")
        queryKeyValue = try FloatBuffer(
            count: rows * config.queryKeyValueWidth, budget: budget, purpose: "queries, keys and values")
        attention = try FloatBuffer(count: rows * config.queryWidth, budget: budget, purpose: "attention outputs")
        normalized = try FloatBuffer(count: rows * config.hiddenSize, budget: budget, purpose: "final norms")
    }

    /// The flat rows in tiles of `rows` rows (the last may be shorter), in
    /// order. Where tiles start changes no result: rows of a product are
    /// independent. (Tiles of nearly equal size, so that no worker idles at
    /// a step's end, measured 5–8% slower: OpenBLAS runs best on 512 rows.)
    func tiles(rows: Int) -> [Range<Int>] {
        stride(from: 0, to: rowCount, by: rows).map { $0..<min(rowCount, $0 + rows) }
    }
}
