/// The spill-block format: how Smelt stores bytes it writes for its own
/// later use (journal records, tensors that do not fit the memory budget,
/// logit caches) so that every block checks itself (DESIGN.md, "Spill
/// blocks"; STYLE.md, rule 6).
///
/// A spill file is a sequence of blocks, only ever appended to. Each block
/// is a 32-byte header followed by one LZ4 block (the raw block format of
/// `LZ4_compress_default`, read with `LZ4_decompress_safe`). All integers
/// are little-endian.
///
/// | bytes      | field                                                     |
/// |------------|-----------------------------------------------------------|
/// | `0..<4`    | magic `SMSP` (0x53 0x4D 0x53 0x50)                        |
/// | `4..<6`    | format version, u16 = 1                                   |
/// | `6..<8`    | flags, u16 = 0 (reserved; a reader refuses any other)     |
/// | `8..<12`   | uncompressed size, u32, at most `maximumUncompressedBytes`|
/// | `12..<16`  | compressed size, u32, 1 up to `LZ4_compressBound` of the uncompressed size |
/// | `16..<24`  | XXH3-64 (seed 0) of the uncompressed bytes                |
/// | `24..<32`  | XXH3-64 of header bytes `0..<24` (the header check)       |
///
/// An empty payload is allowed; LZ4 still writes one byte for it.
///
/// Because blocks are only appended, a crash can tear only the last one.
/// Scanning from byte 0, a block is told to be torn (the file's valid
/// length ends where it starts) or damaged (an error naming the file and
/// the block's offset) as follows:
///
/// * 1 to 31 bytes left: torn.
/// * Header check wrong: torn if every byte from here to the end of the
///   file is zero (a zero-filled tail after power loss), damaged otherwise.
/// * Header check right but a field out of range (magic, version, flags,
///   sizes): damaged, wherever the block is; a whole header was written.
/// * Header right, block runs past the end of the file: torn.
/// * Block complete but the payload does not decompress to exactly its
///   uncompressed size, or its XXH3-64 differs: torn if nothing but zero
///   bytes follows the block (it is the last one), damaged otherwise.
public enum SpillBlock {
    /// The header's bytes on disk.
    public static let headerByteCount = 32

    /// The largest payload one block holds: 64 MiB.
    public static let maximumUncompressedBytes = 64 << 20

    /// The format version this code writes and reads.
    public static let formatVersion: UInt16 = 1

    /// `SMSP` read as a little-endian u32.
    static let magic: UInt32 = 0x5053_4D53

    /// The largest compressed size a block of `uncompressedByteCount`
    /// bytes may declare (LZ4_compressBound).
    public static func maximumCompressedBytes(uncompressedByteCount: Int) -> Int {
        LZ4Block.compressBound(uncompressedByteCount)
    }
}

/// Where one good block sits in a spill file and what it holds.
public struct SpillBlockInfo: Sendable, Equatable {
    /// Byte offset of the block's header in the file.
    public let offset: UInt64
    /// Bytes of the LZ4 block after the header.
    public let compressedByteCount: Int
    /// Bytes of the payload once decompressed.
    public let uncompressedByteCount: Int
    /// XXH3-64 of the payload.
    public let payloadDigest: UInt64

    /// Byte offset just past the block, where the next one starts.
    public var endOffset: UInt64 { offset + UInt64(SpillBlock.headerByteCount + compressedByteCount) }
}

/// The 32-byte header of one block, as fields.
struct SpillBlockHeader: Equatable {
    var magic: UInt32 = SpillBlock.magic
    var formatVersion: UInt16 = SpillBlock.formatVersion
    var flags: UInt16 = 0
    var uncompressedByteCount: UInt32
    var compressedByteCount: UInt32
    var payloadDigest: UInt64

    init(uncompressedByteCount: UInt32, compressedByteCount: UInt32, payloadDigest: UInt64) {
        self.uncompressedByteCount = uncompressedByteCount
        self.compressedByteCount = compressedByteCount
        self.payloadDigest = payloadDigest
    }

    /// Reads a header from its 32 bytes; nil if its check digest is wrong.
    init?(checking raw: UnsafeRawBufferPointer) {
        guard raw.count == SpillBlock.headerByteCount else { return nil }
        let check = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        guard XXH3.digest(UnsafeRawBufferPointer(rebasing: raw[0..<24])) == check else { return nil }
        magic = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        formatVersion = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        flags = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        uncompressedByteCount = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        compressedByteCount = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        payloadDigest = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
    }

    /// Writes the 32 header bytes, check digest included, into `raw`.
    func encode(into raw: UnsafeMutableRawBufferPointer) {
        raw.storeBytes(of: magic.littleEndian, toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: formatVersion.littleEndian, toByteOffset: 4, as: UInt16.self)
        raw.storeBytes(of: flags.littleEndian, toByteOffset: 6, as: UInt16.self)
        raw.storeBytes(of: uncompressedByteCount.littleEndian, toByteOffset: 8, as: UInt32.self)
        raw.storeBytes(of: compressedByteCount.littleEndian, toByteOffset: 12, as: UInt32.self)
        raw.storeBytes(of: payloadDigest.littleEndian, toByteOffset: 16, as: UInt64.self)
        let check = XXH3.digest(UnsafeRawBufferPointer(rebasing: raw[0..<24]))
        raw.storeBytes(of: check.littleEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// What is wrong with a header whose check digest is right, or nil if
    /// nothing: such a header was written whole, so a bad field is damage.
    var problem: String? {
        if magic != SpillBlock.magic {
            return "bad magic \(Self.hexBytes(magic)) (expected \(Self.hexBytes(SpillBlock.magic)), \"SMSP\")"
        }
        if formatVersion != SpillBlock.formatVersion {
            return "unsupported format version \(formatVersion) (this reader knows \(SpillBlock.formatVersion))"
        }
        if flags != 0 { return "reserved flags 0x\(String(flags, radix: 16)) are set" }
        let uncompressed = Int(uncompressedByteCount), compressed = Int(compressedByteCount)
        if uncompressed > SpillBlock.maximumUncompressedBytes {
            return "uncompressed size \(uncompressed) exceeds the limit of \(SpillBlock.maximumUncompressedBytes) bytes"
        }
        if compressed == 0 { return "compressed size 0 cannot hold an LZ4 block (at least 1 byte)" }
        let bound = SpillBlock.maximumCompressedBytes(uncompressedByteCount: uncompressed)
        if compressed > bound {
            return "compressed size \(compressed) exceeds LZ4_compressBound(\(uncompressed)) = \(bound)"
        }
        return nil
    }

    /// A u32's bytes in file order, as two hex digits each: "53 4d 53 50".
    private static func hexBytes(_ value: UInt32) -> String {
        (0..<4).map { index in
            let byte = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index)))
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined(separator: " ")
    }
}
