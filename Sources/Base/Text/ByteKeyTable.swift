/// A hash table from byte strings to Int32 values, for the big tables of
/// files we read (a 262k-token vocabulary, a JSON object's keys): keys are
/// compared by their bytes, as JSON and tokenizers compare them, hashed
/// with XXH3, and stored in one byte buffer, so a lookup allocates nothing
/// and no Swift `Hasher` is seeded per key.
public struct ByteKeyTable: Sendable {
    private var keyBytes: [UInt8] = []
    private var keyStarts: [Int] = [0]
    private var values: [Int32] = []
    private var hashes: [UInt64] = []
    /// Per slot: the hash's high half << 32 | entry index + 1; 0 when empty.
    /// A power of two long. Most misses end at the slot, without touching
    /// the entry's key.
    private var slots: [UInt64]

    public init(minimumCapacity: Int = 16) {
        var slotCount = 16
        while slotCount < minimumCapacity * 2 { slotCount *= 2 }
        slots = [UInt64](repeating: 0, count: slotCount)
        values.reserveCapacity(minimumCapacity)
        hashes.reserveCapacity(minimumCapacity)
        keyStarts.reserveCapacity(minimumCapacity + 1)
    }

    public var count: Int { values.count }

    /// Inserts `key` with `value`; when the key is already there, keeps the
    /// old value and returns it.
    @discardableResult
    public mutating func insert(_ key: UnsafeRawBufferPointer, value: Int32) -> Int32? {
        let hash = XXH3.digest(key)
        if let existing = find(key, hash: hash) { return values[existing] }
        if (values.count + 1) * 2 > slots.count { grow() }
        keyBytes.append(contentsOf: key)
        keyStarts.append(keyBytes.count)
        values.append(value)
        hashes.append(hash)
        place(entry: values.count - 1, hash: hash)
        return nil
    }

    @discardableResult
    public mutating func insert(_ key: String, value: Int32) -> Int32? {
        var key = key
        return key.withUTF8 { insert(UnsafeRawBufferPointer($0), value: value) }
    }

    /// The value of `key`, if present.
    public func value(for key: UnsafeRawBufferPointer) -> Int32? {
        find(key, hash: XXH3.digest(key)).map { values[$0] }
    }

    public func value(for key: String) -> Int32? {
        if let found = key.utf8.withContiguousStorageIfAvailable({ value(for: UnsafeRawBufferPointer($0)) }) {
            return found
        }
        var copy = key
        return copy.withUTF8 { value(for: UnsafeRawBufferPointer($0)) }
    }

    private func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let tag = hash & 0xFFFF_FFFF_0000_0000
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let content = slots[slot]
                if content == 0 { return nil }
                if content & 0xFFFF_FFFF_0000_0000 == tag {
                    let entry = Int(truncatingIfNeeded: content & 0xFFFF_FFFF) - 1
                    let start = keyStarts[entry]
                    if keyStarts[entry + 1] - start == key.count && hashes[entry] == hash
                        && (key.isEmpty
                            || keyBytes.withUnsafeBytes {
                                memcmpEqual($0.baseAddress! + start, key.baseAddress!, key.count)
                            })  // checked: non-empty
                    {
                        return entry
                    }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    private mutating func place(entry: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(entry + 1)
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        for entry in 0..<values.count { place(entry: entry, hash: hashes[entry]) }
    }
}

private func memcmpEqual(_ left: UnsafeRawPointer, _ right: UnsafeRawPointer, _ count: Int) -> Bool {
    var index = 0
    while index + 8 <= count {
        if left.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            != right.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        {
            return false
        }
        index += 8
    }
    while index < count {
        if left.load(fromByteOffset: index, as: UInt8.self) != right.load(fromByteOffset: index, as: UInt8.self) {
            return false
        }
        index += 1
    }
    return true
}
