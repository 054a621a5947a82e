/// How an unsigned 32-bit number becomes one entropy-coded symbol and some
/// raw bits (the scheme of DEFLATE's distance codes, with four buckets per
/// power of two): 0 to 7 are their own symbols; a larger v with its leading
/// bit at position b ≥ 3 is symbol `8 + 4(b − 3) + m`, where m is the two
/// bits after the leading one, followed by the b − 2 low bits of v.
enum ValueBucket {
    /// Symbols 0 ... 123 cover all of UInt32.
    static let symbolCount = 124

    /// The symbol of `value`, its raw bits and how many there are.
    @inline(__always)
    static func split(_ value: UInt32) -> (symbol: UInt8, extra: UInt32, extraBitCount: Int) {
        if value < 8 { return (UInt8(value), 0, 0) }
        let leading = 31 - value.leadingZeroBitCount
        let extraBitCount = leading - 2
        let mantissa = (value >> UInt32(extraBitCount)) & 3
        let symbol = 8 + 4 * (leading - 3) + Int(mantissa)
        return (UInt8(symbol), value & ((1 << UInt32(extraBitCount)) - 1), extraBitCount)
    }

    /// How many raw bits follow `symbol` (which must be below `symbolCount`).
    @inline(__always)
    static func extraBitCount(of symbol: UInt8) -> Int {
        symbol < 8 ? 0 : (Int(symbol) - 8) / 4 + 1
    }

    /// The number made of `symbol` (below `symbolCount`) and its raw bits.
    @inline(__always)
    static func join(symbol: UInt8, extra: UInt32) -> UInt32 {
        if symbol < 8 { return UInt32(symbol) }
        let extraBitCount = UInt32((Int(symbol) - 8) / 4 + 1)
        let mantissa = UInt32((Int(symbol) - 8) & 3)
        return ((4 | mantissa) << extraBitCount) | extra  // checked: at most 2^32 − 1 for symbol ≤ 123
    }

    /// The zigzag map of a signed number to an unsigned one (0, −1, 1, −2, ...).
    @inline(__always)
    static func zigzag(_ value: Int32) -> UInt32 {
        UInt32(bitPattern: (value << 1) ^ (value >> 31))
    }

    /// The inverse of `zigzag`.
    @inline(__always)
    static func unzigzag(_ value: UInt32) -> Int32 {
        Int32(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}
