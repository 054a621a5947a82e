/// Alignment by character offsets (`--align offsets`, the default): both
/// tokenizers report where each token lies in their rendering, and content
/// pieces lie at known places in both, so tokens can be matched by the
/// text they cover instead of by guessing from their strings.
///
/// A target position i takes the distribution of teacher position j when
/// both prefixes, tokens 0...i and 0...j, end at the same place of the
/// same content piece, before its end: both models have then read the
/// same text and predict what follows it. A target token pairs with every
/// teacher token whose range overlaps its own inside a piece; it is
/// one-to-one when each overlaps only the other, over the same range.
/// Linear in the tokens.
public enum OffsetAlignment {
    public static func align(target: FusionTokens, teacher: FusionTokens) -> TokenAlignment {
        var alignment = TokenAlignment(targetCount: target.count)
        let targetEnds = target.prefixEnds(), teacherEnds = teacher.prefixEnds()
        let pieceCount = min(target.contentSpans.count, teacher.contentSpans.count)
        for piece in 0..<pieceCount {
            guard let targetSpan = target.contentSpans[piece], let teacherSpan = teacher.contentSpans[piece],
                targetSpan.count == teacherSpan.count
            else { continue }
            matchPrefixes(
                targetEnds, targetSpan, teacherEnds, teacherSpan, into: &alignment.sources)
            pairTokens(target, targetSpan, teacher, teacherSpan, into: &alignment)
        }
        return alignment
    }

    /// Sources: positions whose prefixes end at the same offset of the
    /// piece (relative to its start), the last such position on each side.
    private static func matchPrefixes(
        _ targetEnds: [Int], _ targetSpan: Range<Int>, _ teacherEnds: [Int], _ teacherSpan: Range<Int>,
        into sources: inout [Int32]
    ) {
        let last = lastBoundaries(teacherEnds, teacherSpan)
        var cursor = 0
        for (offset, position) in lastBoundaries(targetEnds, targetSpan) {
            while cursor < last.count && last[cursor].offset < offset { cursor += 1 }
            if cursor < last.count && last[cursor].offset == offset { sources[position] = Int32(last[cursor].position) }
        }
    }

    /// (offset in the piece, last position whose prefix ends there) for
    /// every offset from the piece's start to before its end, ascending.
    private static func lastBoundaries(_ ends: [Int], _ span: Range<Int>) -> [(offset: Int, position: Int)] {
        var result: [(offset: Int, position: Int)] = []
        for (position, end) in ends.enumerated() where end >= span.lowerBound && end < span.upperBound {
            let offset = end - span.lowerBound
            if let previous = result.last, previous.offset == offset {
                result[result.count - 1].position = position
            } else if result.last.map({ $0.offset < offset }) ?? true {
                result.append((offset, position))
            }
        }
        return result
    }

    /// Pairs of tokens overlapping inside the piece, and the one-to-one ones.
    private static func pairTokens(
        _ target: FusionTokens, _ targetSpan: Range<Int>, _ teacher: FusionTokens, _ teacherSpan: Range<Int>,
        into alignment: inout TokenAlignment
    ) {
        let targetTokens = clippedRanges(target, targetSpan), teacherTokens = clippedRanges(teacher, teacherSpan)
        var overlapCounts = [Int](repeating: 0, count: teacherTokens.count)
        var partners: [(first: Int, count: Int)] = []
        var cursor = 0
        for (_, range) in targetTokens {
            while cursor < teacherTokens.count && teacherTokens[cursor].range.upperBound <= range.lowerBound {
                cursor += 1
            }
            var index = cursor
            while index < teacherTokens.count && teacherTokens[index].range.lowerBound < range.upperBound {
                if teacherTokens[index].range.overlaps(range) { overlapCounts[index] += 1 }
                index += 1
            }
            partners.append((cursor, index - cursor))
        }
        for (entry, (position, range)) in zip(partners, targetTokens) {
            for index in entry.first..<entry.first + entry.count where teacherTokens[index].range.overlaps(range) {
                alignment.pair(target: position, teacher: teacherTokens[index].position)
            }
            if entry.count == 1, overlapCounts[entry.first] == 1, teacherTokens[entry.first].range == range {
                alignment.oneToOne[position] = Int32(teacherTokens[entry.first].position)
            }
        }
    }

    /// Each token overlapping the piece with its range clipped to the piece
    /// and made relative to its start, in order.
    private static func clippedRanges(
        _ tokens: FusionTokens, _ span: Range<Int>
    ) -> [(position: Int, range: Range<Int>)] {
        var result: [(position: Int, range: Range<Int>)] = []
        for (position, range) in tokens.offsets.enumerated() where !range.isEmpty && range.overlaps(span) {
            let clipped = range.clamped(to: span)
            result.append((position, clipped.lowerBound - span.lowerBound..<clipped.upperBound - span.lowerBound))
        }
        return result
    }
}
