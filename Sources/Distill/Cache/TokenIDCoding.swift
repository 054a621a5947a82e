/// How a token id is coded in a context of the symbol stream: its place in
/// the record's `RecencyList` as a `ValueBucket` symbol below 64 when the
/// list holds it, else symbol `64 + s` where s is the `ValueBucket` symbol
/// of the id itself (small ids, the frequent tokens of a BPE vocabulary,
/// are short). Either way the id then moves to the front of the list.
enum TokenIDCoding {
    /// Symbols from here on are ids not in the recency list.
    static let escape: UInt8 = 64
}

extension SymbolStreamWriter {
    /// Adds `id` in `context`, updating `recency`.
    mutating func id(_ id: Int32, context: Int, recency: inout RecencyList) {
        if let place = recency.place(of: id) {
            value(UInt32(place), context: context)
            _ = recency.take(at: place)
        } else {
            let (symbol, extra, extraBitCount) = ValueBucket.split(UInt32(id))  // checked: ids are ≥ 0
            self.symbol(TokenIDCoding.escape + symbol, context: context)
            if extraBitCount > 0 { bits(extra, count: extraBitCount) }
            recency.insert(id)
        }
    }
}

extension SymbolStreamReader {
    /// The next id of `context`, checked against `vocabularySize`; updates `recency`.
    @inline(__always)
    mutating func id(
        context: Int, recency: inout RecencyList, vocabularySize: Int, field: @autoclosure () -> String
    ) throws(LogitCacheError) -> Int32 {
        let symbol = try self.symbol(context: context, field: field())
        if symbol < TokenIDCoding.escape {
            let count = ValueBucket.extraBitCount(of: symbol)
            let place = Int(
                ValueBucket.join(symbol: symbol, extra: count == 0 ? 0 : try rawBits(count, field: field())))
            guard place < recency.count else {
                throw .malformed(field: field(), problem: "recent-id place \(place) beyond the \(recency.count) known")
            }
            return recency.take(at: place)
        }
        let bucket = symbol - TokenIDCoding.escape
        guard Int(bucket) < ValueBucket.symbolCount else {
            throw .malformed(field: field(), problem: "symbol \(symbol) is not an id")
        }
        let count = ValueBucket.extraBitCount(of: bucket)
        let id = ValueBucket.join(symbol: bucket, extra: count == 0 ? 0 : try rawBits(count, field: field()))
        guard id < vocabularySize else {
            throw .malformed(field: field(), problem: "id \(id) outside the vocabulary of \(vocabularySize)")
        }
        recency.insert(Int32(id))  // checked: id < vocabularySize ≤ Int32.max
        return Int32(id)
    }
}
