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
            let length = scalars.count
            var cut = scalars.startIndex
            for leftLength in stride(from: 1, to: length, by: 1) {
                cut = scalars.index(after: cut)
                guard let leftID = ids[ExactString(String(scalars[..<cut]))],
                    let rightID = ids[ExactString(String(scalars[cut...]))]
                else { continue }
                // checked: a header is at most 100 MB, so ids, lengths and cut counts stay far below 2^31
                cuts.append(
                    Candidate(
                        score: scores[id], tokenID: Int32(id), leftID: Int32(leftID), rightID: Int32(rightID),
                        leftLength: Int32(leftLength), rightLength: Int32(length - leftLength), order: 0))
            }
            cuts.sort { ($0.leftID, $0.rightID) < ($1.leftID, $1.rightID) }
            for var candidate in cuts {
                candidate.order = Int32(candidates.count)  // checked: as above, fewer cuts than header bytes
                candidates.append(candidate)
            }
        }
        candidates.sort(by: Candidate.ranksBefore)
        return candidates.map { candidate in
            let scalars = tokens[Int(candidate.tokenID)].unicodeScalars
            let cut = scalars.index(scalars.startIndex, offsetBy: Int(candidate.leftLength))
            return (String(scalars[..<cut]), String(scalars[cut...]))
        }
    }

    /// One way of cutting a token in two, kept small (Gemma 3 has 514,906):
    /// the halves are rebuilt from the token once the merges are ranked.
    private struct Candidate {
        let score: Double
        let tokenID: Int32
        let leftID: Int32
        let rightID: Int32
        /// The halves' lengths in Unicode scalars (Python's `len`).
        let leftLength: Int32
        let rightLength: Int32
        /// Where it was found, which breaks every tie (Python's sort is stable).
        var order: Int32

        static func ranksBefore(_ a: Candidate, _ b: Candidate) -> Bool {
            if a.score != b.score { return a.score > b.score }
            if a.leftLength != b.leftLength { return a.leftLength > b.leftLength }
            if a.rightLength != b.rightLength { return a.rightLength > b.rightLength }
            return a.order < b.order
        }
    }
}
