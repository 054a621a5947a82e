/// Alignment by FuseLLM's dynamic time warping (`--align dtw`): the
/// target's and the teacher's token strings, markers removed, are warped
/// onto each other with edit distance as the cost (`DTWAlignment`). A
/// target position takes the distribution of the one teacher position it
/// is warped to when the two tokens are the same bytes, or the vocabulary
/// map sends the teacher's token to the target's (FuseLLM's "soft" case).
///
/// A text record is warped whole, special tokens included, exactly as
/// FuseLLM does. A chat or prompt/completion record is warped piece by
/// piece over the tokens that overlap each content piece, and a position
/// whose next token (on either side) lies outside the piece takes no
/// distribution: it predicts a template token.
public enum DTWTokenAlignment {
    /// Half-width of the band of the warping matrix, in tokens.
    public static let defaultBand = 128

    public static func align(
        target: FusionTokens, targetBytes: VocabularyBytes, teacher: FusionTokens, teacherBytes: VocabularyBytes,
        map: VocabularyMap, band: Int
    ) -> TokenAlignment {
        var alignment = TokenAlignment(targetCount: target.count)
        let pieceCount = target.isText ? 1 : min(target.contentSpans.count, teacher.contentSpans.count)
        for piece in 0..<pieceCount {
            let targetPositions = target.positions(inPiece: piece)
            let teacherPositions = teacher.positions(inPiece: piece)
            guard !targetPositions.isEmpty && !teacherPositions.isEmpty else { continue }
            let warped = DTWAlignment.align(
                teacher: teacherPositions.map { teacherBytes.withoutSpaces(teacher.ids[$0]) },
                target: targetPositions.map { targetBytes.withoutSpaces(target.ids[$0]) }, band: band)
            var teacherUses = [Int](repeating: 0, count: teacherPositions.count)
            for list in warped { for index in list { teacherUses[index] += 1 } }
            for (index, list) in warped.enumerated() {
                let position = targetPositions[index]
                for teacherIndex in list { alignment.pair(target: position, teacher: teacherPositions[teacherIndex]) }
                guard list.count == 1 else { continue }
                let teacherIndex = list[0], teacherPosition = teacherPositions[teacherIndex]
                let targetID = target.ids[position], teacherID = teacher.ids[teacherPosition]
                let isSameToken = targetBytes[targetID] == teacherBytes[teacherID]
                // One-to-one: warped only onto each other, and the same token (a
                // warp between different tokens is DTW's guess, not a match).
                if teacherUses[teacherIndex] == 1 && isSameToken {
                    alignment.oneToOne[position] = Int32(teacherPosition)
                }
                if !target.isText {
                    // The next tokens must both be content of this piece.
                    guard index + 1 < targetPositions.count, targetPositions[index + 1] == position + 1,
                        teacherIndex + 1 < teacherPositions.count,
                        teacherPositions[teacherIndex + 1] == teacherPosition + 1
                    else { continue }
                }
                if isSameToken || map.target(of: teacherID) == targetID {
                    alignment.sources[position] = Int32(teacherPosition)
                }
            }
        }
        return alignment
    }
}
