import Base

/// The merges of a SentencePiece vocabulary that stores none, recovered as
/// transformers recovers them (`generate_merges` in
/// tokenization_utils_base.py): every way of cutting a token in two whose
/// halves are both tokens is a merge; merges are ranked by the token's
/// score, best first, then by the length of the left half and of the right
/// half (in characters), longest first, and otherwise stay in the order they
/// were found: tokens in id order, the cuts of one token by the ids of their
/// halves.
enum SentencePieceMerges {
    /// `scores[id]` ranks token `id`'s merges (higher first); `ids` maps each
    /// token to its id.
    static func derive(tokens: [String], ids: [ExactString: Int], scores: [Double]) -> [(String, String)] {
        var candidates: [Candidate] = []
        var cuts: [Candidate] = []
        for (id, token) in tokens.enumerated() {
            cuts.removeAll(keepingCapacity: true)
            let scalars = token.unicodeScalars
            guard !scalars.isEmpty else { continue }
            var cut = scalars.index(after: scalars.startIndex)
            var leftLength = 1
            let length = scalars.count
            while cut < scalars.endIndex {
                let left = String(scalars[..<cut])
                if let leftID = ids[ExactString(left)] {
                    let right = String(scalars[cut...])
                    if let rightID = ids[ExactString(right)] {
                        cuts.append(
                            Candidate(
                                left: left, right: right, leftID: leftID, rightID: rightID, score: scores[id],
                                leftLength: leftLength, rightLength: length - leftLength, order: 0))
                    }
                }
                cut = scalars.index(after: cut)
                leftLength += 1
            }
            cuts.sort { ($0.leftID, $0.rightID) < ($1.leftID, $1.rightID) }
            for var candidate in cuts {
                candidate.order = candidates.count
                candidates.append(candidate)
            }
        }
        candidates.sort(by: Candidate.ranksBefore)
        return candidates.map { ($0.left, $0.right) }
    }

    private struct Candidate {
        let left: String
        let right: String
        let leftID: Int
        let rightID: Int
        let score: Double
        let leftLength: Int
        let rightLength: Int
        /// Where it was found, which breaks every tie (Python's sort is stable).
        var order: Int

        static func ranksBefore(_ a: Candidate, _ b: Candidate) -> Bool {
            if a.score != b.score { return a.score > b.score }
            if a.leftLength != b.leftLength { return a.leftLength > b.leftLength }
            if a.rightLength != b.rightLength { return a.rightLength > b.rightLength }
            return a.order < b.order
        }
    }
}
