import Tokenize

/// One model's tokens of a data record, as fusion sees them: the ids, each
/// token's range of Unicode scalars in that model's rendering of the
/// record, and where each piece of the record's content lies in it.
/// Renderings differ between models (each has its own chat template);
/// content pieces are what they share.
public struct FusionTokens: Sendable {
    public let ids: [Int32]
    public let offsets: [Range<Int>]
    /// One range per content piece, the same pieces for every model (nil
    /// where this rendering lacks it).
    public let contentSpans: [Range<Int>?]
    /// A text record: one piece that is the whole text, where alignment
    /// takes every token, special ones included (as FuseLLM does).
    public let isText: Bool

    public init(ids: [Int32], offsets: [Range<Int>], contentSpans: [Range<Int>?], isText: Bool) {
        self.ids = ids
        self.offsets = offsets
        self.contentSpans = contentSpans
        self.isText = isText
    }

    public init(_ encoding: RecordEncoding, isText: Bool) {
        self.init(
            ids: encoding.encoding.ids, offsets: encoding.encoding.offsets, contentSpans: encoding.contentSpans,
            isText: isText)
    }

    public var count: Int { ids.count }

    /// The positions whose tokens lie in content piece `piece` (every
    /// position for a text record), in order; overlap is enough.
    func positions(inPiece piece: Int) -> [Int] {
        if isText { return Array(ids.indices) }
        guard piece < contentSpans.count, let span = contentSpans[piece] else { return [] }
        return offsets.indices.filter { !offsets[$0].isEmpty && offsets[$0].overlaps(span) }
    }

    /// Per position, how much of the text the tokens up to it have
    /// consumed, or −1 where the prefix ends inside a scalar that later
    /// tokens still cover (the first byte-fallback pieces of one scalar):
    /// only at the others has the prefix read a whole stretch of text.
    /// Tokens without a range (special tokens a post-processor added)
    /// consume nothing.
    func prefixEnds() -> [Int] {
        let n = offsets.count
        var ends = [Int](repeating: 0, count: n)
        var consumed = 0
        for index in 0..<n {
            if !offsets[index].isEmpty { consumed = max(consumed, offsets[index].upperBound) }
            ends[index] = consumed
        }
        var nextStart = Int.max
        for index in stride(from: n - 1, through: 0, by: -1) {
            let end = ends[index]
            if end > nextStart { ends[index] = -1 }
            if !offsets[index].isEmpty { nextStart = min(nextStart, offsets[index].lowerBound) }
        }
        return ends
    }
}
