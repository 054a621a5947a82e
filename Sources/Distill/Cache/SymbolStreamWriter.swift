/// Collects a record's symbols (each in a context with its own static
/// frequency table) and raw bits in decoding order, then codes them: the
/// symbols as one rANS stream (Duda, "Asymmetric numeral systems", 2013;
/// the byte-wise 32-bit variant of ryg_rans), the tables and raw bits as a
/// bit section.
struct SymbolStreamWriter {
    let contextCount: Int
    private var contexts: [UInt8] = []
    private var symbols: [UInt8] = []
    /// Raw bits in order: value and bit count.
    private var extras: [(value: UInt32, count: Int)] = []

    init(contextCount: Int) {
        self.contextCount = contextCount
    }

    /// Adds one symbol of `context`.
    mutating func symbol(_ symbol: UInt8, context: Int) {
        contexts.append(UInt8(context))
        symbols.append(symbol)
    }

    /// Adds `value` as a `ValueBucket` symbol of `context` and its raw bits.
    mutating func value(_ value: UInt32, context: Int) {
        let (symbol, extra, extraBitCount) = ValueBucket.split(value)
        self.symbol(symbol, context: context)
        if extraBitCount > 0 { extras.append((extra, extraBitCount)) }
    }

    /// Adds raw bits (count ≤ 32) with no symbol.
    mutating func bits(_ value: UInt32, count: Int) {
        extras.append((value, count))
    }

    /// The rANS bytes and the bit section (tables, then raw bits).
    func finish() -> (rans: [UInt8], bits: [UInt8]) {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: FrequencyTable.alphabetSize), count: contextCount)
        for index in symbols.indices { counts[Int(contexts[index])][Int(symbols[index])] += 1 }
        let tables = counts.map(FrequencyTable.table)
        var bits = BitWriter()
        for table in tables { FrequencyTable.write(table, to: &bits) }
        for extra in extras { bits.write(extra.value, count: extra.count) }

        let symbolCount = FrequencyTable.alphabetSize
        var frequencies = [Int](repeating: 0, count: contextCount * symbolCount)
        var starts = [Int](repeating: 0, count: contextCount * symbolCount)
        for (context, table) in tables.enumerated() {
            var cumulative = 0
            for (symbol, frequency) in zip(table.symbols, table.frequencies) {
                frequencies[context * symbolCount + symbol] = frequency
                starts[context * symbolCount + symbol] = cumulative
                cumulative += frequency
            }
        }
        // rANS codes last symbol first, so the decoder reads them in order.
        var reversed: [UInt8] = []
        reversed.reserveCapacity(symbols.count / 2 + 8)
        var state = RANS.lowerBound
        for index in symbols.indices.reversed() {
            let slot = Int(contexts[index]) * symbolCount + Int(symbols[index])
            let frequency = UInt32(frequencies[slot]), start = UInt32(starts[slot])
            let limit = ((RANS.lowerBound >> FrequencyTable.scaleBits) << 8) * frequency
            while state >= limit {
                reversed.append(UInt8(truncatingIfNeeded: state))
                state >>= 8
            }
            state = ((state / frequency) << FrequencyTable.scaleBits) + (state % frequency) + start
        }
        // The final state leads the section as a little-endian u32 once the bytes are reversed.
        for shift in stride(from: 24, through: 0, by: -8) {
            reversed.append(UInt8(truncatingIfNeeded: state >> UInt32(shift)))
        }
        return (Array(reversed.reversed()), bits.finish())
    }
}

/// Constants of the rANS coder shared by writer and reader.
enum RANS {
    /// The state stays in [2^23, 2^31) between symbols.
    static let lowerBound: UInt32 = 1 << 23
}
