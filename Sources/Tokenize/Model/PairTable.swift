/// BPE's merge table: (left id, right id) → (rank, merged id), open
/// addressing with a multiplicative hash. Looked up a few times per symbol
/// of every word, where Swift's seeded `Dictionary` hashing dominated.
struct PairTable: Sendable {
    /// Key and value side by side, so a probe touches one cache line;
    /// `emptyKey` marks a free slot (no pair of ids reaches it).
    private struct Slot {
        var key: UInt64
        var value: UInt64
    }
    private var slots: [Slot]
    private var shift: UInt64
    private var count = 0
    private static let emptyKey = UInt64.max

    init(minimumCapacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < minimumCapacity * 2 { bits += 1 }
        slots = [Slot](repeating: Slot(key: Self.emptyKey, value: 0), count: 1 << bits)
        shift = 64 - bits
    }

    private func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Sets the value of `key`, replacing an earlier one (a later duplicate
    /// merge wins, as in the library's map).
    mutating func set(_ key: UInt64, _ value: UInt64) {
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var index = slot(of: key)
        while slots[index].key != Self.emptyKey && slots[index].key != key { index = (index + 1) & mask }
        if slots[index].key == Self.emptyKey { count += 1 }
        slots[index] = Slot(key: key, value: value)
    }

    /// Doubles the slots, keeping the table at most half full.
    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(key: Self.emptyKey, value: 0), count: old.count * 2)
        shift -= 1
        count = 0
        for slot in old where slot.key != Self.emptyKey { set(slot.key, slot.value) }
    }

    func value(_ key: UInt64) -> UInt64? {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var index = slot(of: key)
            while true {
                let found = slots[index]
                if found.key == key { return found.value }
                if found.key == Self.emptyKey { return nil }
                index = (index + 1) & mask
            }
        }
    }
}
