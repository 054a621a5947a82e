/// The framing shared by both payload kinds: a kind byte, LEB128 counts,
/// the rANS section with its length, and the bit section to the end.
enum PayloadSections {
    /// Appends `value` as unsigned LEB128 (7 bits a byte, low first).
    static func appendVarint(_ value: UInt32, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Reads an unsigned LEB128 number of at most 32 bits at `offset`, in
    /// its shortest form only, and moves `offset` past it.
    static func readVarint(
        _ bytes: UnsafeRawBufferPointer, at offset: inout Int, field: String
    ) throws(LogitCacheError) -> UInt32 {
        var value: UInt64 = 0
        for index in 0..<5 {
            guard offset < bytes.count else { throw .truncated(field: field) }
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << UInt64(7 * index)
            if byte & 0x80 == 0 {
                guard index == 0 || byte != 0 else { throw .malformed(field: field, problem: "overlong number") }
                guard value <= UInt64(UInt32.max) else { throw .malformed(field: field, problem: "beyond 32 bits") }
                return UInt32(value)
            }
        }
        throw .malformed(field: field, problem: "beyond 32 bits")
    }

    /// The kind byte, counts, rANS length and both sections as one payload.
    static func assemble(kind: UInt8, counts: [UInt32], rans: [UInt8], bits: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [kind]
        bytes.reserveCapacity(rans.count + bits.count + 16)
        for count in counts { appendVarint(count, to: &bytes) }
        appendVarint(UInt32(rans.count), to: &bytes)  // checked: payloads stay far below 4 GiB
        bytes += rans
        bytes += bits
        return bytes
    }

    /// Checks the kind byte, reads `countFields` counts, and splits the
    /// rest into the rANS and bit sections.
    static func split(
        _ bytes: UnsafeRawBufferPointer, kind: UInt8, countFields: [String]
    ) throws(LogitCacheError) -> (counts: [UInt32], rans: UnsafeRawBufferPointer, bits: UnsafeRawBufferPointer) {
        guard bytes.count >= 1 else { throw .truncated(field: "kind byte") }
        guard bytes[0] == kind else {
            throw .malformed(field: "kind byte", problem: "\(bytes[0]) (expected \(kind))")
        }
        var offset = 1
        var counts: [UInt32] = []
        for field in countFields { counts.append(try readVarint(bytes, at: &offset, field: field)) }
        let ransCount = Int(try readVarint(bytes, at: &offset, field: "rANS length"))
        guard ransCount <= bytes.count - offset else { throw .truncated(field: "rANS section") }
        let rans = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + ransCount])
        let bits = UnsafeRawBufferPointer(rebasing: bytes[(offset + ransCount)...])
        return (counts, rans, bits)
    }
}
