/// BPE's merge table: (left id, right id) → (rank, merged id), open
/// addressing with a multiplicative hash. Looked up a few times per symbol
/// of every word, where Swift's seeded `Dictionary` hashing dominated.
struct PairTable: Sendable {
    /// Keys; `emptyKey` marks a free slot (no pair of ids reaches it).
    private var keys: [UInt64]
    private var values: [UInt64]
    private var shift: UInt64
    private var count = 0
    private static let emptyKey = UInt64.max

    init(minimumCapacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < minimumCapacity * 2 { bits += 1 }
        keys = [UInt64](repeating: Self.emptyKey, count: 1 << bits)
        values = [UInt64](repeating: 0, count: 1 << bits)
        shift = 64 - bits
    }

    private func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Sets the value of `key`, replacing an earlier one (a later duplicate
    /// merge wins, as in the library's map).
    mutating func set(_ key: UInt64, _ value: UInt64) {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var index = slot(of: key)
        while keys[index] != Self.emptyKey && keys[index] != key { index = (index + 1) & mask }
        if keys[index] == Self.emptyKey { count += 1 }
        keys[index] = key
        values[index] = value
    }

    /// Doubles the slots, keeping the table at most half full.
    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: Self.emptyKey, count: oldKeys.count * 2)
        values = [UInt64](repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        count = 0
        for (key, value) in zip(oldKeys, oldValues) where key != Self.emptyKey { set(key, value) }
    }

    func value(_ key: UInt64) -> UInt64? {
        keys.withUnsafeBufferPointer { keys in
            let mask = keys.count - 1
            var index = slot(of: key)
            while true {
                let found = keys[index]
                if found == key { return values[index] }
                if found == Self.emptyKey { return nil }
                index = (index + 1) & mask
            }
        }
    }
}
