/// Decodes what `SymbolStreamWriter` wrote: reads the frequency tables
/// from the bit section, then hands out symbols and raw bits in order.
/// Every read is bounded by its section, and the number of symbols by
/// `FrequencyTable.symbolBudget`, so no input makes it read outside the
/// payload or run without consuming it.
struct SymbolStreamReader {
    private let rans: UnsafePointer<UInt8>
    private var ransPosition: Int
    private let ransEnd: Int
    private var state: UInt32
    private(set) var bits: BitReader
    /// Symbols still allowed (see `FrequencyTable.symbolBudget`).
    private(set) var symbolBudget: Int
    private let frequency: UnsafeMutablePointer<UInt16>
    private let start: UnsafeMutablePointer<UInt16>
    private let slots: UnsafeMutablePointer<UInt8>
    private let isUsed: UnsafeMutablePointer<Bool>

    /// Scratch memory for `contextCount` tables.
    struct Tables {
        let frequency: UnsafeMutablePointer<UInt16>
        let start: UnsafeMutablePointer<UInt16>
        let slots: UnsafeMutablePointer<UInt8>
        let isUsed: UnsafeMutablePointer<Bool>
    }

    /// Calls `body` with scratch memory for `contextCount` tables, freed after.
    static func withTables<R>(
        contextCount: Int, _ body: (Tables) throws(LogitCacheError) -> R
    ) throws(LogitCacheError) -> R {
        let symbols = contextCount * FrequencyTable.alphabetSize, slotCount = contextCount * FrequencyTable.total
        let frequency = UnsafeMutablePointer<UInt16>.allocate(capacity: symbols)
        let start = UnsafeMutablePointer<UInt16>.allocate(capacity: symbols)
        let slots = UnsafeMutablePointer<UInt8>.allocate(capacity: slotCount)
        let isUsed = UnsafeMutablePointer<Bool>.allocate(capacity: contextCount)
        defer {
            frequency.deallocate()
            start.deallocate()
            slots.deallocate()
            isUsed.deallocate()
        }
        frequency.initialize(repeating: 0, count: symbols)
        start.initialize(repeating: 0, count: symbols)
        slots.initialize(repeating: 0, count: slotCount)
        isUsed.initialize(repeating: false, count: contextCount)
        return try body(Tables(frequency: frequency, start: start, slots: slots, isUsed: isUsed))
    }

    /// Starts reading `rans` (the rANS bytes) and `bitSection`, taking the
    /// tables of `contextCount` contexts from the bit section first. Both
    /// buffers and `tables` must outlive the reader.
    init(
        rans ransBytes: UnsafeRawBufferPointer, bitSection: UnsafeRawBufferPointer, contextCount: Int, tables: Tables
    ) throws(LogitCacheError) {
        guard ransBytes.count >= 4, let base = ransBytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw .malformed(field: "rANS section", problem: "\(ransBytes.count) bytes (at least 4)")
        }
        rans = base
        ransEnd = ransBytes.count
        state = UInt32(littleEndian: ransBytes.loadUnaligned(as: UInt32.self))
        ransPosition = 4
        guard state >= RANS.lowerBound, state < RANS.lowerBound << 8 else {
            throw .malformed(field: "rANS section", problem: "initial state out of range")
        }
        bits = BitReader(bitSection)
        symbolBudget = FrequencyTable.symbolBudget(ransByteCount: ransBytes.count)
        frequency = tables.frequency
        start = tables.start
        slots = tables.slots
        isUsed = tables.isUsed
        for context in 0..<contextCount {
            let symbolOffset = context * FrequencyTable.alphabetSize
            isUsed[context] = try FrequencyTable.read(
                from: &bits, context: context, frequency: frequency + symbolOffset, start: start + symbolOffset,
                slots: slots + context * FrequencyTable.total)
        }
    }

    /// Whether the record's writer used `context` at all.
    func uses(context: Int) -> Bool { isUsed[context] }

    /// The next symbol, of `context`.
    @inline(__always)
    mutating func symbol(context: Int, field: @autoclosure () -> String) throws(LogitCacheError) -> UInt8 {
        guard isUsed[context], symbolBudget > 0 else {
            throw .malformed(field: field(), problem: isUsed[context] ? "more symbols than the bytes hold" : "no table")
        }
        symbolBudget -= 1
        let slot = Int(state & UInt32(FrequencyTable.total - 1))
        let symbol = slots[context << FrequencyTable.scaleBits | slot]
        let index = context * FrequencyTable.alphabetSize + Int(symbol)
        // checked: frequency ≤ 3840 and state >> 12 < 2^20, so this stays below 2^32.
        state = UInt32(frequency[index]) &* (state >> FrequencyTable.scaleBits) &+ UInt32(slot) &- UInt32(start[index])
        while state < RANS.lowerBound {
            guard ransPosition < ransEnd else { throw .truncated(field: "rANS section") }
            state = state << 8 | UInt32(rans[ransPosition])
            ransPosition += 1
        }
        return symbol
    }

    /// The next `ValueBucket` number of `context`.
    @inline(__always)
    mutating func value(context: Int, field: @autoclosure () -> String) throws(LogitCacheError) -> UInt32 {
        let symbol = try self.symbol(context: context, field: field())
        guard Int(symbol) < ValueBucket.symbolCount else {
            throw .malformed(field: field(), problem: "symbol \(symbol) is not a number")
        }
        let count = ValueBucket.extraBitCount(of: symbol)
        let extra = count == 0 ? 0 : try bits.read(count, field: field())
        return ValueBucket.join(symbol: symbol, extra: extra)
    }

    /// The next `count` raw bits (count ≤ 32).
    @inline(__always)
    mutating func rawBits(_ count: Int, field: @autoclosure () -> String) throws(LogitCacheError) -> UInt32 {
        try bits.read(count, field: field())
    }

    /// Checks both sections were read to their ends: the rANS state is back
    /// where the writer started it and no byte or bit is left.
    func finish() throws(LogitCacheError) {
        guard ransPosition == ransEnd else {
            throw .malformed(field: "rANS section", problem: "\(ransEnd - ransPosition) bytes left unread")
        }
        guard state == RANS.lowerBound else {
            throw .malformed(field: "rANS section", problem: "final state differs from the initial one (damaged)")
        }
        try bits.finish()
    }
}
