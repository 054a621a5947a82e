/// The static symbol frequencies of one context of a record's rANS stream:
/// 256 possible symbols, frequencies summing to `total` (2^12), each used
/// symbol at least 1 and at most `maximumFrequency`.
///
/// A table travels as levels, not frequencies: level L = ⌊2 log2 f⌋ of each
/// used symbol (half-bit steps), from which both sides compute the same
/// frequencies (`frequencies(levels:)`). That costs a few bits a symbol
/// instead of about 17, and under 1% in coded size.
///
/// The cap keeps every symbol at a cost of at least log2(4096/3840) ≈ 0.093
/// bits, so a payload of B bytes decodes to at most about 11 symbols per
/// bit: the decoder can bound what it allocates by the bytes it was given.
/// A context with one used symbol gets a second, unused one to make room.
enum FrequencyTable {
    static let scaleBits: UInt32 = 12
    static let total = 1 << 12
    static let maximumFrequency = 3840
    static let alphabetSize = 256
    /// Levels run from 0 (frequency 1) to 23 (frequency 2^11.5 and above).
    static let maximumLevel = 23

    /// Symbols a payload of `byteCount` rANS bytes can hold at most, from the cap above.
    static func symbolBudget(ransByteCount: Int) -> Int {
        (ransByteCount + 4) * 8 * 11
    }

    /// One context's table: its used symbols in increasing order, their
    /// levels, and the frequencies made of those.
    struct Table {
        var symbols: [Int] = []
        var levels: [Int] = []
        var frequencies: [Int] = []
    }

    /// The table of `counts` (256 entries) as the decoder will rebuild it.
    static func table(counts: [Int]) -> Table {
        var symbols = counts.indices.filter { counts[$0] > 0 }
        if symbols.isEmpty { return Table() }
        if symbols.count == 1 { symbols = symbols[0] == 0 ? [0, 1] : [0, symbols[0]] }
        let levels = normalise(symbols.map { counts[$0] }).map(level)
        return Table(symbols: symbols, levels: levels, frequencies: frequencies(levels: levels))
    }

    /// ⌊2 log2 f⌋ of a frequency f ≥ 1, in integers.
    static func level(_ frequency: Int) -> Int {
        let power = Int.bitWidth - 1 - frequency.leadingZeroBitCount
        // f ≥ 2^(power + 1/2) exactly when f² ≥ 2^(2 power + 1).
        return 2 * power + (frequency * frequency >= 1 << (2 * power + 1) ? 1 : 0)
    }

    /// Frequencies from levels: weights at the geometric middle of each
    /// level's range (2^(L/2 + 1/4), as 152/128 and 215/128 times a power
    /// of two), normalised.
    static func frequencies(levels: [Int]) -> [Int] {
        normalise(levels.map { ($0 & 1 == 0 ? 152 : 215) << ($0 >> 1) })
    }

    /// Weights scaled to sum to `total`, each 1 ... `maximumFrequency`
    /// (at least two weights). Integer arithmetic with ties broken by the
    /// earlier weight, so every machine agrees.
    static func normalise(_ weights: [Int]) -> [Int] {
        let sum = weights.reduce(0, +)
        var frequencies = weights.map { min(maximumFrequency, max(1, $0 * total / sum)) }
        var assigned = frequencies.reduce(0, +)
        while assigned > total {
            // The largest frequency gives way first.
            var largest = 0
            for index in frequencies.indices where frequencies[index] > frequencies[largest] { largest = index }
            let step = min(assigned - total, frequencies[largest] - 1)
            frequencies[largest] -= step
            assigned -= step
        }
        while assigned < total {
            // The heaviest weight with room takes what is left.
            var best = -1
            for index in frequencies.indices where frequencies[index] < maximumFrequency {
                if best < 0 || weights[index] > weights[best] { best = index }
            }
            let step = min(total - assigned, maximumFrequency - frequencies[best])  // checked: two hold 7680
            frequencies[best] += step
            assigned += step
        }
        return frequencies
    }

    /// Writes `table`: the number of used symbols, then for each the gap
    /// from the previous used symbol and the zigzag change of its level
    /// from the previous one's, all in gamma code.
    static func write(_ table: Table, to bits: inout BitWriter) {
        bits.writeGamma(UInt32(table.symbols.count))
        var previousSymbol = -1, previousLevel = 0
        for (symbol, level) in zip(table.symbols, table.levels) {
            bits.writeGamma(UInt32(symbol - previousSymbol - 1))
            bits.writeGamma(ValueBucket.zigzag(Int32(level - previousLevel)))
            previousSymbol = symbol
            previousLevel = level
        }
    }

    /// Reads one table into `frequency` and `start` (256 entries each) and
    /// fills `slots` (4096 entries) with the symbol of each slot. Returns
    /// false for an empty table (a context the record never uses).
    static func read(
        from bits: inout BitReader, context: Int, frequency: UnsafeMutablePointer<UInt16>,
        start: UnsafeMutablePointer<UInt16>, slots: UnsafeMutablePointer<UInt8>
    ) throws(LogitCacheError) -> Bool {
        // An autoclosure, not a string: tables are read for every record decoded.
        func field() -> String { "frequency table \(context)" }
        let usedCount = Int(try bits.readGamma(field: field()))
        guard usedCount <= alphabetSize else {
            throw .malformed(field: field(), problem: "\(usedCount) symbols (at most \(alphabetSize))")
        }
        if usedCount == 0 { return false }
        guard usedCount >= 2 else { throw .malformed(field: field(), problem: "a single symbol (at least 2)") }
        var symbols: [Int] = [], levels: [Int] = []
        symbols.reserveCapacity(usedCount)
        levels.reserveCapacity(usedCount)
        var symbol = -1, level = 0
        for _ in 0..<usedCount {
            let gap = Int(try bits.readGamma(field: field()))
            guard gap < alphabetSize - 1 - symbol else {
                throw .malformed(field: field(), problem: "symbol beyond \(alphabetSize - 1)")
            }
            symbol += gap + 1
            level += Int(ValueBucket.unzigzag(try bits.readGamma(field: field())))
            guard level >= 0, level <= maximumLevel else {
                throw .malformed(field: field(), problem: "level \(level) outside 0...\(maximumLevel)")
            }
            symbols.append(symbol)
            levels.append(level)
        }
        var cumulative = 0
        for (symbol, symbolFrequency) in zip(symbols, frequencies(levels: levels)) {
            frequency[symbol] = UInt16(symbolFrequency)  // checked: normalise keeps it ≤ 3840
            start[symbol] = UInt16(cumulative)
            (slots + cumulative).update(repeating: UInt8(symbol), count: symbolFrequency)
            cumulative += symbolFrequency
        }
        return true
    }
}
