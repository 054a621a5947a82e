import Base

/// One finished unit of work in the journal (DESIGN.md, "Journal"): a chunk
/// of an output tensor with the XXH3-64 of its staged bytes, or a whole
/// tensor with the digest of all its bytes in order (the digest the
/// published header carries). Stored as 32 little-endian bytes:
/// kind u32, tensor index u32 (into the plan's tensors), byte offset u64
/// inside the tensor, byte count u64, XXH3-64 u64.
struct JournalRecord: Equatable, Sendable {
    enum Kind: UInt32, Sendable {
        case chunk = 1
        case tensor = 2
    }

    static let encodedByteCount = 32

    let kind: Kind
    let tensorIndex: Int
    let byteOffset: UInt64
    let byteCount: UInt64
    let digest: UInt64

    func append(to bytes: inout [UInt8]) {
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        put(kind.rawValue)
        put(UInt32(truncatingIfNeeded: tensorIndex))
        put(byteOffset)
        put(byteCount)
        put(digest)
    }

    /// The records of one journal block, each checked against the plan's
    /// tensors: a block that passed its digest but names a tensor or range
    /// the plan does not have was not written by this plan.
    static func decode(_ payload: UnsafeRawBufferPointer, tensorByteCounts: [UInt64]) -> [JournalRecord]? {
        guard payload.count % encodedByteCount == 0 else { return nil }
        var records: [JournalRecord] = []
        records.reserveCapacity(payload.count / encodedByteCount)
        for start in stride(from: 0, to: payload.count, by: encodedByteCount) {
            func get<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
                T(littleEndian: payload.loadUnaligned(fromByteOffset: start + offset, as: T.self))
            }
            guard let kind = Kind(rawValue: get(0, as: UInt32.self)) else { return nil }
            let tensor = Int(get(4, as: UInt32.self))
            let offset = get(8, as: UInt64.self)
            let count = get(16, as: UInt64.self)
            guard tensor < tensorByteCounts.count, offset <= tensorByteCounts[tensor],
                count <= tensorByteCounts[tensor] - offset
            else { return nil }
            if kind == .tensor, offset != 0 || count != tensorByteCounts[tensor] { return nil }
            records.append(
                JournalRecord(
                    kind: kind, tensorIndex: tensor, byteOffset: offset, byteCount: count,
                    digest: get(24, as: UInt64.self)))
        }
        return records
    }
}
