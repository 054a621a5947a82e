/// The text on its way through the pipeline, as the `tokenizers` library's
/// PreTokenizedString: the current (normalized) scalars, for each of them
/// the range of original scalars it stands for, and the pieces the text has
/// been split into so far. A piece that an added token matched already has
/// its id and goes to the model untouched; the others are split further by
/// the pre-tokenizers and then given to the model.
///
/// All pieces share one buffer, so splitting a piece only refines a range
/// and a whole encode allocates a handful of arrays, not one per word.
struct PieceList {
    /// One piece: a range of `scalars`, with the added token it is, if any.
    struct Piece {
        var range: Range<Int>
        var addedTokenID: Int32?
    }

    private(set) var scalars: [Unicode.Scalar]
    /// Original range of each scalar: `originalStarts[i] ..< originalEnds[i]`.
    private(set) var originalStarts: [Int32]
    private(set) var originalEnds: [Int32]
    var pieces: [Piece]

    /// The original text as one piece (none when it is empty).
    init(original: [Unicode.Scalar]) {
        scalars = original
        originalStarts = (0..<Int32(original.count)).map { $0 }
        originalEnds = (0..<Int32(original.count)).map { $0 + 1 }
        pieces = original.isEmpty ? [] : [Piece(range: 0..<original.count, addedTokenID: nil)]
    }

    /// The original range a normalized range stands for (empty ranges map to
    /// the original position of their start).
    func originalRange(of range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else {
            if range.lowerBound < scalars.count {
                return Int(originalStarts[range.lowerBound])..<Int(originalStarts[range.lowerBound])
            }
            let end = scalars.isEmpty ? 0 : Int(originalEnds[scalars.count - 1])
            return end..<end
        }
        return Int(originalStarts[range.lowerBound])..<Int(originalEnds[range.upperBound - 1])
    }

    /// Where the piece starts in the original text.
    func originalStart(of piece: Piece) -> Int { Int(originalStarts[piece.range.lowerBound]) }

    /// Splits every piece without an added token into the ranges `split`
    /// returns for it (ascending, inside the piece); empty ranges are dropped,
    /// as the library drops empty splits.
    mutating func split(_ split: (PieceList, Piece) -> [Range<Int>]) {
        splitMarking { list, piece in split(list, piece).map { Piece(range: $0, addedTokenID: nil) } }
    }

    /// Splits pieces into sub-pieces some of which carry an added token
    /// (pieces that already have one stay whole; empty parts are dropped).
    mutating func splitMarking(_ split: (PieceList, Piece) -> [Piece]) {
        var result: [Piece] = []
        for piece in pieces {
            if piece.addedTokenID != nil {
                result.append(piece)
                continue
            }
            for part in split(self, piece) where !part.range.isEmpty { result.append(part) }
        }
        pieces = result
    }

    /// Rewrites the scalars of every piece without an added token through
    /// `transform`, which appends the new scalars of one piece to a
    /// `PieceWriter`; pieces with tokens are copied. Scalars between pieces
    /// (removed by an earlier split) are dropped.
    mutating func transform(_ transform: (PieceList, Piece, inout PieceWriter) -> Void) {
        var writer = PieceWriter(capacity: scalars.count)
        var result: [Piece] = []
        result.reserveCapacity(pieces.count)
        for piece in pieces {
            let start = writer.count
            if piece.addedTokenID != nil {
                for index in piece.range { writer.append(scalars[index], from: self, index: index) }
            } else {
                transform(self, piece, &writer)
            }
            if writer.count > start || piece.addedTokenID != nil {
                result.append(Piece(range: start..<writer.count, addedTokenID: piece.addedTokenID))
            }
        }
        scalars = writer.scalars
        originalStarts = writer.originalStarts
        originalEnds = writer.originalEnds
        pieces = result
    }
}

/// Collects the scalars of transformed pieces with their original ranges,
/// following the alignment rules of the library's `NormalizedString.transform`:
/// a scalar that replaces one keeps its range, an inserted one copies the
/// range of the scalar before it.
struct PieceWriter {
    private(set) var scalars: [Unicode.Scalar] = []
    private(set) var originalStarts: [Int32] = []
    private(set) var originalEnds: [Int32] = []

    init(capacity: Int) {
        scalars.reserveCapacity(capacity)
        originalStarts.reserveCapacity(capacity)
        originalEnds.reserveCapacity(capacity)
    }

    var count: Int { scalars.count }

    /// Appends `scalar` standing for the original range of `list`'s scalar at `index`.
    mutating func append(_ scalar: Unicode.Scalar, from list: PieceList, index: Int) {
        scalars.append(scalar)
        originalStarts.append(list.originalStarts[index])
        originalEnds.append(list.originalEnds[index])
    }

    /// Appends `scalar` standing for an explicit original range.
    mutating func append(_ scalar: Unicode.Scalar, originalStart: Int32, originalEnd: Int32) {
        scalars.append(scalar)
        originalStarts.append(originalStart)
        originalEnds.append(originalEnd)
    }
}
