/// Byte-pair encoding (the library's `BPE` model): a word starts as its
/// scalars' tokens (byte-level alphabets, or SentencePiece pieces with
/// byte fallback) and merges the adjacent pair of lowest rank, leftmost
/// first, until no pair merges.
struct BPEModel: VocabularyModel {
    let vocabulary: Vocabulary
    /// (left id << 32 | right id) → (rank << 32 | merged id).
    let merges: PairTable
    /// The id of each single-scalar token, for words without prefix or suffix.
    let scalarIDs: ScalarIDs
    /// The ids of `<0x00>` ... `<0xFF>` when `byte_fallback` is on (-1 where
    /// the vocabulary lacks one).
    let byteIDs: [Int32]?
    let unknownID: Int32?
    let fusesUnknown: Bool
    let ignoresMerges: Bool
    let continuingSubwordPrefix: String?
    let endOfWordSuffix: String?


    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into tokens: inout [ModelToken], cache: WordCache) {
        guard !word.isEmpty, !cache.append(word, to: &tokens) else { return }
        let start = tokens.count
        tokenizeUncached(word, into: &tokens)
        cache.keep(tokens[start...], for: word)
        let base = word.startIndex
        for index in start..<tokens.count {
            tokens[index].range = tokens[index].range.lowerBound + base..<tokens[index].range.upperBound + base
        }
    }

    /// Tokens of `word` with ranges relative to its start.
    private func tokenizeUncached(_ word: ArraySlice<Unicode.Scalar>, into tokens: inout [ModelToken]) {
        if ignoresMerges, let id = vocabulary.id(of: PieceText.string(word)) {
            tokens.append(ModelToken(id: id, range: 0..<word.count))
            return
        }
        var symbols = initialSymbols(word)
        mergeAll(&symbols)
        tokens.append(contentsOf: symbols)
    }

    /// Each scalar's token, with the unknown token (fused if asked) and byte
    /// fallback as the library does them.
    private func initialSymbols(_ word: ArraySlice<Unicode.Scalar>) -> [ModelToken] {
        var symbols: [ModelToken] = []
        symbols.reserveCapacity(word.count)
        var pendingUnknown: ModelToken?
        let plain = continuingSubwordPrefix == nil && endOfWordSuffix == nil
        for (offset, scalar) in word.enumerated() {
            let range = offset..<offset + 1
            var byteFallbackFailed = false
            let id: Int32?
            var spelled = ""
            if plain {
                id = scalarIDs[scalar]
            } else {
                spelled = String(Character(scalar))
                if offset > 0, let prefix = continuingSubwordPrefix { spelled = prefix + spelled }
                if offset == word.count - 1, let suffix = endOfWordSuffix { spelled += suffix }
                id = vocabulary.id(of: spelled)
            }
            if let id {
                if let unknown = pendingUnknown { symbols.append(unknown) }
                pendingUnknown = nil
                symbols.append(ModelToken(id: id, range: range))
                continue
            }
            if let byteIDs {
                if plain { spelled = String(Character(scalar)) }
                if spelled.utf8.contains(where: { byteIDs[Int($0)] < 0 }) { byteFallbackFailed = true }
            }
            if let byteIDs, !byteFallbackFailed {
                if let unknown = pendingUnknown { symbols.append(unknown) }
                pendingUnknown = nil
                for byte in spelled.utf8 { symbols.append(ModelToken(id: byteIDs[Int(byte)], range: range)) }
                continue
            }
            guard let unknownID else { continue }
            if let unknown = pendingUnknown {
                if fusesUnknown {
                    pendingUnknown = ModelToken(id: unknownID, range: unknown.range.lowerBound..<range.upperBound)
                    continue
                }
                symbols.append(unknown)
            }
            pendingUnknown = ModelToken(id: unknownID, range: range)
        }
        if let unknown = pendingUnknown { symbols.append(unknown) }
        return symbols
    }

    /// Merges pairs by rank, leftmost first among equal ranks (the library's
    /// `Word::merge_all`: a min-heap of (rank, position) with stale entries
    /// skipped).
    private func mergeAll(_ symbols: inout [ModelToken]) {
        let count = symbols.count
        guard count > 1 else { return }
        if count <= Self.longestScannedWord { return mergeByScanning(&symbols) }
        var next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = Int32(index + 1) }
            initialized = count
        }
        var previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = Int32(index - 1) }
            initialized = count
        }
        var alive = [Bool](repeating: true, count: count)
        var heap = MergeHeap()
        for index in 0..<count - 1 {
            if let merge = merges.value(Self.pairKey(symbols[index].id, symbols[index + 1].id)) {
                heap.push(rank: UInt32(merge >> 32), position: Int32(index), mergedID: Int32(truncatingIfNeeded: merge))
            }
        }
        while let top = heap.pop() {
            let position = Int(top.position)
            guard alive[position], next[position] < count else { continue }
            let right = Int(next[position])
            guard let merge = merges.value(Self.pairKey(symbols[position].id, symbols[right].id)),
                Int32(truncatingIfNeeded: merge) == top.mergedID
            else { continue }
            symbols[position] = ModelToken(
                id: top.mergedID, range: symbols[position].range.lowerBound..<symbols[right].range.upperBound)
            alive[right] = false
            next[position] = next[right]
            if next[right] < count { previous[Int(next[right])] = Int32(position) }
            if previous[position] >= 0 {
                let left = Int(previous[position])
                if let merge = merges.value(Self.pairKey(symbols[left].id, symbols[position].id)) {
                    heap.push(
                        rank: UInt32(merge >> 32), position: Int32(left), mergedID: Int32(truncatingIfNeeded: merge))
                }
            }
            if next[position] < count {
                let after = Int(next[position])
                if let merge = merges.value(Self.pairKey(symbols[position].id, symbols[after].id)) {
                    heap.push(
                        rank: UInt32(merge >> 32), position: Int32(position), mergedID: Int32(truncatingIfNeeded: merge)
                    )
                }
            }
        }
        var write = 0
        for index in 0..<count where alive[index] {
            symbols[write] = symbols[index]
            write += 1
        }
        symbols.removeLast(count - write)
    }

    /// Words up to this many symbols merge by scanning pair ranks, which
    /// allocates nothing; longer ones (a Gemma text is one word) use the heap.
    static let longestScannedWord = 48

    /// The same merges as `mergeAll`'s heap: each step merges the pair of
    /// lowest rank, leftmost first, keeping every adjacent pair's rank.
    private func mergeByScanning(_ symbols: inout [ModelToken]) {
        let none = UInt64.max
        var ranks = [UInt64](repeating: none, count: symbols.count)
        func rank(_ index: Int) -> UInt64 {
            merges.value(Self.pairKey(symbols[index].id, symbols[index + 1].id)) ?? none
        }
        for index in 0..<symbols.count - 1 { ranks[index] = rank(index) }
        while symbols.count > 1 {
            var best = 0
            for index in 1..<symbols.count - 1 where ranks[index] < ranks[best] { best = index }
            let merge = ranks[best]
            guard merge != none else { break }
            symbols[best] = ModelToken(
                id: Int32(truncatingIfNeeded: merge),
                range: symbols[best].range.lowerBound..<symbols[best + 1].range.upperBound)
            symbols.remove(at: best + 1)
            ranks.remove(at: best + 1)
            if best + 1 < symbols.count { ranks[best] = rank(best) } else { ranks[best] = none }
            if best > 0 { ranks[best - 1] = rank(best - 1) }
        }
    }

    static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }
}

/// A binary min-heap of pending merges ordered by (rank, position).
private struct MergeHeap {
    struct Entry {
        var key: UInt64  // rank << 32 | position
        var mergedID: Int32
        var position: Int32 { Int32(truncatingIfNeeded: key) }
    }
    private var entries: [Entry] = []

    mutating func push(rank: UInt32, position: Int32, mergedID: Int32) {
        entries.append(Entry(key: UInt64(rank) << 32 | UInt64(UInt32(position)), mergedID: mergedID))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].key < entries[parent].key else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        guard !entries.isEmpty else { return top }
        entries[0] = last
        var parent = 0
        while true {
            let left = parent * 2 + 1
            guard left < entries.count else { break }
            let right = left + 1
            let smaller = right < entries.count && entries[right].key < entries[left].key ? right : left
            guard entries[smaller].key < entries[parent].key else { break }
            entries.swapAt(smaller, parent)
            parent = smaller
        }
        return top
    }
}

/// Single-scalar tokens by scalar: a flat table for the Basic Multilingual
/// Plane (every word's first step looks each scalar up), a dictionary above.
struct ScalarIDs: Sendable {
    private var basic = [Int32](repeating: -1, count: 0x10000)
    private var others: [UInt32: Int32] = [:]

    init() {}

    subscript(scalar: Unicode.Scalar) -> Int32? {
        get {
            let value = scalar.value
            if value < 0x10000 {
                let id = basic[Int(value)]
                return id < 0 ? nil : id
            }
            return others[value]
        }
        set {
            let value = scalar.value
            if value < 0x10000 { basic[Int(value)] = newValue ?? -1 } else { others[value] = newValue }
        }
    }
}
