import CXXHash

/// XXH3-64 with seed 0, the digest of every byte Smelt writes or checks
/// (DESIGN.md, "Tensor digest"). Uses libxxhash's `_dispatch` entry points,
/// which pick the widest vector unit the CPU has.
public enum XXH3 {
    /// The digest of `bytes` in one call.
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits_dispatch(bytes.baseAddress, bytes.count)
    }

    /// The digest of an array of bytes.
    public static func digest(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { digest($0) }
    }

    /// 16 lowercase hexadecimal digits, the form digests take in files.
    public static func hex(_ digest: UInt64) -> String {
        let text = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    /// Parses 16 lowercase hexadecimal digits; nil for anything else.
    public static func parseHex(_ text: String) -> UInt64? {
        guard text.utf8.count == 16, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        return UInt64(text, radix: 16)
    }
}

/// An XXH3-64 digest computed over bytes fed in order.
public final class XXH3Hasher {
    private let state: OpaquePointer

    public init() {
        // checked: XXH3_createState only fails when malloc does, which Swift treats as fatal anyway
        state = XXH3_createState()!
        XXH3_64bits_reset(state)
    }

    deinit { XXH3_freeState(state) }

    /// Feeds the next bytes.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        XXH3_64bits_update_dispatch(state, bytes.baseAddress, bytes.count)
    }

    /// Starts over, as if newly made.
    public func reset() { XXH3_64bits_reset(state) }

    /// The digest of everything fed so far.
    public func finalize() -> UInt64 { XXH3_64bits_digest(state) }
}
