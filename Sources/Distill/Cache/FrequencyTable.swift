/// The static symbol frequencies of one context of a record's rANS stream:
/// 256 possible symbols, frequencies summing to `total` (2^12), each used
/// symbol at least 1 and at most `maximumFrequency`.
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
    /// Symbols a payload of `byteCount` rANS bytes can hold at most, from the cap above.
    static func symbolBudget(ransByteCount: Int) -> Int {
        (ransByteCount + 4) * 8 * 11
    }

    /// Normalised frequencies (256 entries, 0 for unused symbols) of
    /// `counts`, or all zeros when nothing was counted. Integer arithmetic
    /// with ties broken by the lower symbol, so every machine agrees.
    static func normalise(_ counts: [Int]) -> [Int] {
        let sum = counts.reduce(0, +)
        var frequencies = [Int](repeating: 0, count: alphabetSize)
        guard sum > 0 else { return frequencies }
        var used = counts.indices.filter { counts[$0] > 0 }
        if used.count == 1 { used.append(used[0] == 0 ? 1 : 0) }
        var assigned = 0
        for symbol in used {
            frequencies[symbol] = min(maximumFrequency, max(1, counts[symbol] * total / sum))
            assigned += frequencies[symbol]
        }
        while assigned > total {
            // The largest frequency gives way first.
            var largest = used[0]
            for symbol in used where frequencies[symbol] > frequencies[largest] { largest = symbol }
            let step = min(assigned - total, frequencies[largest] - 1)
            frequencies[largest] -= step
            assigned -= step
        }
        while assigned < total {
            // The most counted symbol with room takes what is left.
            var best = -1
            for symbol in used where frequencies[symbol] < maximumFrequency {
                if best < 0 || counts[symbol] > counts[best] { best = symbol }
            }
            let step = min(total - assigned, maximumFrequency - frequencies[best])  // checked: two symbols hold 7680
            frequencies[best] += step
            assigned += step
        }
        return frequencies
    }

    /// Writes `frequencies`: the number of used symbols, then for each the
    /// gap from the previous used symbol and its frequency minus one, all
    /// in gamma code.
    static func write(_ frequencies: [Int], to bits: inout BitWriter) {
        let used = frequencies.indices.filter { frequencies[$0] > 0 }
        bits.writeGamma(UInt32(used.count))
        var previous = -1
        for symbol in used {
            bits.writeGamma(UInt32(symbol - previous - 1))
            bits.writeGamma(UInt32(frequencies[symbol] - 1))
            previous = symbol
        }
    }

    /// Reads one table into `frequency` and `start` (256 entries each) and
    /// fills `slots` (4096 entries) with the symbol of each slot. Returns
    /// false for an empty table (a context the record never uses).
    static func read(
        from bits: inout BitReader, context: Int, frequency: UnsafeMutablePointer<UInt16>,
        start: UnsafeMutablePointer<UInt16>, slots: UnsafeMutablePointer<UInt8>
    ) throws(LogitCacheError) -> Bool {
        let field = "frequency table \(context)"
        let usedCount = try bits.readGamma(field: field)
        guard usedCount <= alphabetSize else {
            throw .malformed(field: field, problem: "\(usedCount) symbols (at most \(alphabetSize))")
        }
        if usedCount == 0 { return false }
        guard usedCount >= 2 else { throw .malformed(field: field, problem: "a single symbol (at least 2)") }
        var symbol = -1
        var cumulative = 0
        for _ in 0..<usedCount {
            let gap = try bits.readGamma(field: field)
            let value = try bits.readGamma(field: field)
            guard gap < alphabetSize, symbol + Int(gap) + 1 < alphabetSize else {
                throw .malformed(field: field, problem: "symbol beyond \(alphabetSize - 1)")
            }
            symbol += Int(gap) + 1
            guard value < maximumFrequency else {
                throw .malformed(field: field, problem: "frequency \(UInt64(value) + 1) above \(maximumFrequency)")
            }
            let symbolFrequency = Int(value) + 1
            guard cumulative + symbolFrequency <= total else {
                throw .malformed(field: field, problem: "frequencies sum past \(total)")
            }
            frequency[symbol] = UInt16(symbolFrequency)
            start[symbol] = UInt16(cumulative)
            (slots + cumulative).update(repeating: UInt8(symbol), count: symbolFrequency)
            cumulative += symbolFrequency
        }
        guard cumulative == total else {
            throw .malformed(field: field, problem: "frequencies sum to \(cumulative), not \(total)")
        }
        return true
    }
}
