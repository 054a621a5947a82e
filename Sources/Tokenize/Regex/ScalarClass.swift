/// Fast Unicode classification of scalars, shared by the regex matcher and the pre-tokenizers: one byte per scalar
/// holds its general category and whether Oniguruma's `\s` and `\w` match it, in a two-stage table (256-scalar
/// blocks, identical blocks stored once) built once, lazily, from Swift's Unicode properties.
public enum ScalarClass {
    /// Set in a property byte when Oniguruma's `\s` matches the scalar (Unicode `White_Space`).
    static let whitespaceBit: UInt8 = 0x20
    /// Set when Oniguruma's `\w` inside a class matches: `Alphabetic`, marks, `Nd` and connector punctuation.
    static let wordBit: UInt8 = 0x40
    /// The low bits of a property byte: the `ScalarCategory` raw value.
    static let categoryMask: UInt8 = 0x1F

    /// The Unicode version of Oniguruma's tables in `tokenizers` 0.23; scalars Swift knows from later versions are
    /// treated as unassigned, as Oniguruma treats them.
    static let unicodeVersion = (major: 16, minor: 0)

    /// Latin-1 scalars Oniguruma's `\w` matches outside a class (its ISO 8859-1 table) but not inside one:
    /// `² ³ ¹ ¼ ½ ¾`.
    static let latinWordNumbers: [ClosedRange<UInt32>] = [0xB2...0xB3, 0xB9...0xB9, 0xBC...0xBE]

    /// The table, built on first use.
    static let table = ScalarTable()

    /// Whether `\p{L}` matches `scalar`.
    public static func isLetter(_ scalar: Unicode.Scalar) -> Bool { category(scalar).rawValue <= 4 }

    /// Whether `\p{N}` matches `scalar`.
    public static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        (8...10).contains(category(scalar).rawValue)
    }

    /// Whether `\p{M}` matches `scalar`.
    public static func isMark(_ scalar: Unicode.Scalar) -> Bool { (5...7).contains(category(scalar).rawValue) }

    /// Whether general category P* (`\p{P}`) holds for `scalar`.
    public static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        (11...17).contains(category(scalar).rawValue)
    }

    /// Whether Oniguruma's `\s` matches `scalar`: the `White_Space` property (so U+0085, NBSP and U+2028 are
    /// spaces; zero-width space, U+180E and the BOM are not).
    public static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        table.properties(of: scalar.value) & whitespaceBit != 0
    }

    /// Whether Oniguruma's `\w` outside a class matches `scalar`: alphabetic, a mark, a decimal digit or
    /// connector punctuation (`_`), plus `² ³ ¹ ¼ ½ ¾`; the zero-width joiners are not.
    public static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        table.properties(of: scalar.value) & wordBit != 0 || latinWordNumbers.contains { $0.contains(scalar.value) }
    }

    /// The general category of `scalar`.
    public static func category(_ scalar: Unicode.Scalar) -> ScalarCategory {
        // checked: the table stores only raw values of ScalarCategory.
        ScalarCategory(rawValue: table.properties(of: scalar.value) & categoryMask)!
    }

    /// The property byte of one scalar, computed from Swift's tables (used to build `table`).
    static func computeProperties(of value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return ScalarCategory.surrogate.rawValue }
        let properties = scalar.properties
        // U+0295 (ʕ) became Lo in Unicode 17; Oniguruma's 16.0 tables have it Ll.
        let category = value == 0x295 ? .lowercaseLetter : ScalarCategory(properties.generalCategory)
        // Only the properties a category leaves open are looked up: building the table stays quick.
        switch category {
        case .unassigned, .privateUse: return category.rawValue
        default: break
        }
        guard let age = properties.age,
            age.major < unicodeVersion.major || age.major == unicodeVersion.major && age.minor <= unicodeVersion.minor
        else {
            return ScalarCategory.unassigned.rawValue
        }
        var byte = category.rawValue
        switch category {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .letterNumber,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            byte |= wordBit  // letters and Nl are Alphabetic
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control:
            if properties.isWhitespace { byte |= whitespaceBit }
        default:
            if properties.isAlphabetic { byte |= wordBit }
        }
        return byte
    }
}

/// The two stages of `ScalarClass`'s table: `blockOf[scalar >> 8]` picks a 256-byte block of `blocks`.
// Written once in init and only read afterwards, so sharing across threads is safe.
final class ScalarTable: @unchecked Sendable {
    let blockOf: UnsafeMutableBufferPointer<UInt16>
    let blocks: UnsafeMutableBufferPointer<UInt8>

    init() {
        var blockOf = [UInt16](repeating: 0, count: 0x110000 >> 8)
        var blocks: [UInt8] = []
        var seen: [[UInt8]: UInt16] = [:]
        var block = [UInt8](repeating: 0, count: 256)
        for blockIndex in 0..<blockOf.count {
            let base = UInt32(blockIndex) << 8
            for offset in 0..<256 { block[offset] = ScalarClass.computeProperties(of: base + UInt32(offset)) }
            if let known = seen[block] {
                blockOf[blockIndex] = known
            } else {
                let index = UInt16(blocks.count >> 8)
                seen[block] = index
                blocks += block
                blockOf[blockIndex] = index
            }
        }
        self.blockOf = .allocate(capacity: blockOf.count)
        _ = self.blockOf.initialize(from: blockOf)
        self.blocks = .allocate(capacity: blocks.count)
        _ = self.blocks.initialize(from: blocks)
    }

    deinit {
        blockOf.deallocate()
        blocks.deallocate()
    }

    /// The property byte of a scalar value (at most 0x10FFFF).
    @inline(__always) func properties(of value: UInt32) -> UInt8 {
        blocks[Int(blockOf[Int(value >> 8)]) << 8 | Int(value & 0xFF)]
    }
}
