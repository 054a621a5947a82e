/// The result of encoding a text (the library's `Encoding`): ids, token
/// strings, each token's range of Unicode scalars in the original text
/// (empty at 0 for tokens the post-processor added), type ids, and which
/// tokens the post-processor added.
public struct Encoding: Sendable, Equatable {
    public var ids: [Int32] = []
    public var tokens: [String] = []
    public var offsets: [Range<Int>] = []
    public var typeIDs: [UInt32] = []
    public var specialTokensMask: [Bool] = []

    public init() {}

    public var count: Int { ids.count }

    mutating func append(id: Int32, token: String, offsets range: Range<Int>, typeID: UInt32 = 0, special: Bool = false)
    {
        ids.append(id)
        tokens.append(token)
        offsets.append(range)
        typeIDs.append(typeID)
        specialTokensMask.append(special)
    }

    mutating func append(contentsOf other: Encoding) {
        ids += other.ids
        tokens += other.tokens
        offsets += other.offsets
        typeIDs += other.typeIDs
        specialTokensMask += other.specialTokensMask
    }

    /// ByteLevel's `trim_offsets`: offsets leave out the spaces a token
    /// starts or ends with (kept for a first token's single added prefix space).
    mutating func trimByteLevelOffsets(addPrefixSpace: Bool) {
        let space = ByteLevelSpace.character
        for index in tokens.indices {
            let scalars = Array(tokens[index].unicodeScalars)
            var leading = scalars.prefix { $0 == space || $0.properties.isWhitespace }.count
            let trailing = scalars.reversed().prefix { $0 == space || $0.properties.isWhitespace }.count
            guard leading > 0 || trailing > 0 else { continue }
            var range = offsets[index]
            if leading > 0 {
                let isFirst = index == 0 || range.lowerBound == 0
                if isFirst && addPrefixSpace && leading == 1 { leading = 0 }
                range = min(range.lowerBound + leading, range.upperBound)..<range.upperBound
            }
            if trailing > 0 && range.upperBound >= trailing {
                range = range.lowerBound..<max(range.upperBound - trailing, range.lowerBound)
            }
            offsets[index] = range
        }
    }
}

/// The byte-level alphabet's character for a space ("Ġ").
enum ByteLevelSpace {
    static let character: Unicode.Scalar = "\u{120}"
}
